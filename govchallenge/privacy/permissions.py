"""Who may do what with a person's data: only the person downloads it; the person or a platform admin
erases the account (an admin with a recorded reason, checked by the form)."""
from govchallenge.core.permissions import is_admin, signed_in


def can_download(user, export):
    return signed_in(user) and export is not None and export.user_id == user.id


def can_erase(actor, account):
    if not signed_in(actor) or account is None or account.erased_at is not None:
        return False
    return actor.id == account.id or is_admin(actor)
