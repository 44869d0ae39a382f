from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with tiny cost parameters: for the test suite only (settings pick it then)."""

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
