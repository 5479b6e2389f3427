"""The council's organisation (directorates, services), committees' set-up, settings and the
administration home: administrators only."""
