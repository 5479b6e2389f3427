"""Password hashing with Argon2id, a memory-hard scheme."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

PRODUCTION_HASHER = PasswordHasher()  # Argon2id, 64 MiB, 3 passes (RFC 9106 second choice)
_hasher = PRODUCTION_HASHER

# A hash to check against when the e-mail address is unknown, so that a wrong address and a
# wrong password take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


def use_fast_hashing_for_tests() -> None:
    """Argon2id still, but with little memory and one pass: only ever called by the tests."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not a real password")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def password_problem(password: str) -> str | None:
    """Plain-English reason a new password will not do, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    return None
