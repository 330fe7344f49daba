"""Jury invitation links, valid for three weeks."""
from ..core.invitations import InvitationLinks

INVITATION_DAYS = 21
_links = InvitationLinks("jury-invitation", INVITATION_DAYS, key="j")
make_token, read_token = _links.make_token, _links.read_token
