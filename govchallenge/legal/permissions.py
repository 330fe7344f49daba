"""Who may do what with the legal pages: everyone reads them; only platform admins edit them."""
from govchallenge.core.permissions import is_admin


def can_edit_legal_pages(user):
    return is_admin(user)
