"""Demo data of the jury domain (registered in govchallenge.demo.DEMO_STEPS); idempotent."""


def add_demo(users):
    """users: {e-mail: User} of the foundation's demo accounts."""
