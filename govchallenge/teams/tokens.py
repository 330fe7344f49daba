"""Team invitation links, valid for a week; they work for people not yet registered."""
from ..core.invitations import InvitationLinks

INVITATION_DAYS = 7
_links = InvitationLinks("team-invitation", INVITATION_DAYS)
make_token, read_token = _links.make_token, _links.read_token
