"""Password hashing with Argon2id, a memory-hard scheme, and the rules a new password must meet."""
import gzip
from functools import lru_cache
from pathlib import Path

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


MAX_LENGTH = 1000
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")  # from Django: see its LICENSE file


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """20,000 passwords people often choose (lower case), read once, when first needed."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def password_problem(password: str) -> str | None:
    """Plain-English reason a new password will not do, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if password.strip().lower() in common_passwords():
        return ("That password is one of the most common passwords, which are tried first by anyone guessing: "
                "choose another, such as three or four random words")
    return None
