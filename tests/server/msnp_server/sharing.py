"""/abservice/SharingService.asmx: FindMembership (full and delta), AddMember, DeleteMember
(docs/protocol/contact-list.md). Response shape: tests/data/vectors/findmembership-response.xml."""

import logging

from . import abch
from .abch import AB_NS, child, children, client_fault, text
from .contacts import format_stamp, parse_stamp, puid_of, valid_address, xml_text
from .abservice import NEVER, full_sync

log = logging.getLogger("msnp.sharing")

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
SERVICE_ID = 1
CLIENT_ROLES = ("Allow", "Block", "Reverse")     # roles a client may add


def member_xml(m):
    if m.xml is None:
        extra = ""
        if m.display_name:
            extra = "<DisplayName>%s</DisplayName>" % xml_text(m.display_name)
        notes = []
        if m.kind == "Email":
            notes.append(("MSN.IM.BuddyType", "%02d:" % m.network))
        if m.invite:
            notes.append(("MSN.IM.InviteMessage", m.invite))
        annotations = ""
        if notes:
            annotations = "<Annotations>%s</Annotations>" % "".join(
                "<Annotation><Name>%s</Name><Value>%s</Value></Annotation>"
                % (n, xml_text(v)) for n, v in notes)
        common = ("<MembershipId>%d</MembershipId><Type>%s</Type>%s<State>Accepted</State>%s"
                  "<Deleted>%s</Deleted><LastChanged>%s</LastChanged><JoinedDate>%s</JoinedDate>"
                  "<ExpirationDate>%s</ExpirationDate><Changes />"
                  % (m.id, m.kind, extra, annotations, "true" if m.deleted else "false",
                     format_stamp(m.changed), format_stamp(m.joined), NEVER))
        puid = puid_of(m.email)
        if m.kind == "Passport":
            m.xml = ('<Member xsi:type="PassportMember">%s<PassportName>%s</PassportName>'
                     '<IsPassportNameHidden>false</IsPassportNameHidden>'
                     '<PassportId>%016x</PassportId><CID>%d</CID><PassportChanges />'
                     '<LookedupByCID>false</LookedupByCID></Member>'
                     % (common, xml_text(m.email), puid, puid))
        else:
            m.xml = ('<Member xsi:type="EmailMember">%s<Email>%s</Email></Member>'
                     % (common, xml_text(m.email)))
    return m.xml


def find_membership_xml(book, messenger=True, since=None):
    parts = ['<FindMembershipResponse xmlns="%s"><FindMembershipResult><Services>' % AB_NS]
    if messenger:
        parts.append("<Service><Memberships>")
        for role, members in book.members(since).items():
            if not members:
                continue
            parts.append("<Membership><MemberRole>%s</MemberRole><Members>" % role)
            parts.extend(member_xml(m) for m in members)
            parts.append("</Members><MembershipIsComplete>true</MembershipIsComplete>"
                         "</Membership>")
        parts.append("</Memberships><Info><Handle><Id>%d</Id><Type>Messenger</Type><ForeignId />"
                     "</Handle><InverseRequired>false</InverseRequired>"
                     "<AuthorizationCriteria>Everyone</AuthorizationCriteria>"
                     "<IsBot>false</IsBot></Info><Changes /><LastChange>%s</LastChange>"
                     "<Deleted>false</Deleted></Service>"
                     % (SERVICE_ID, format_stamp(book.members_changed)))
    cid = puid_of(book.owner)
    parts.append("</Services><OwnerNamespace><Info><Handle><Id>00000000-0000-0000-0009-%012x</Id>"
                 "<IsPassportNameHidden>false</IsPassportNameHidden><CID>0</CID></Handle>"
                 "<CreatorPuid>0</CreatorPuid><CreatorCID>%d</CreatorCID>"
                 "<CreatorPassportName>%s</CreatorPassportName><CircleAttributes>"
                 "<IsPresenceEnabled>false</IsPresenceEnabled><IsEvent>false</IsEvent>"
                 "<Domain>WindowsLive</Domain></CircleAttributes>"
                 "<MessengerApplicationServiceCreated>false</MessengerApplicationServiceCreated>"
                 "</Info><Changes /><CreateDate>%s</CreateDate><LastChange>%s</LastChange>"
                 "</OwnerNamespace></FindMembershipResult></FindMembershipResponse>"
                 % (cid & 0xFFFFFFFFFFFF, cid, xml_text(book.owner), format_stamp(book.created),
                    format_stamp(book.members_changed)))
    return "".join(parts)


class SharingService:
    def __init__(self, server):
        self.server = server
        self.books = server.books

    def book(self, call):
        book = self.books.get(call.account)
        if not book.exists:
            raise client_fault("ABDoesNotExist", "Address book does not exist")
        return book

    def FindMembership(self, call):
        book = self.book(call)
        types = [(el.text or "").strip() for el in
                 children(child(call.body, "serviceFilter", "Types"), "ServiceType")]
        if not types:
            raise client_fault("BadArgument", "serviceFilter/Types lists no ServiceType")
        messenger = "Messenger" in types
        delta = abch.boolean(text(call.body, "deltasOnly"), "deltasOnly")
        if not delta:
            return find_membership_xml(book, messenger)
        if "membership-full-sync" in self.server.cfg.faults:
            raise full_sync("fault membership-full-sync: deltas are never served")
        raw = text(call.body, "lastChange")
        since = parse_stamp(raw)
        if since is None:
            raise full_sync("lastChange %r is not a timestamp this service issued" % raw)
        if not book.delta_ok(since):
            raise full_sync("lastChange %s is %s" % (raw, "too old" if since < book.horizon
                                                     else "unknown (in the future)"))
        return find_membership_xml(book, messenger, since)

    def memberships(self, call, roles):
        handle = child(call.body, "serviceHandle")
        if text(handle, "Type") != "Messenger" or \
                text(handle, "Id") not in ("0", str(SERVICE_ID)):
            raise client_fault("BadArgument", "serviceHandle must name the Messenger service "
                               "(Id 0, Type Messenger)")
        out = []
        items = children(child(call.body, "memberships"), "Membership")
        if not items:
            raise client_fault("BadArgument", "no memberships/Membership")
        for ms in items:
            role = text(ms, "MemberRole")
            if role not in roles:
                raise client_fault("BadArgument", "MemberRole %r is not one of %s"
                                   % (role, ", ".join(roles)))
            members = children(child(ms, "Members"), "Member")
            if not members:
                raise client_fault("BadArgument", "Membership %s without Members" % role)
            for m in members:
                out.append((role, m))
        return out

    def parse_member(self, m):
        """-> (kind, email or None, network, membership id or None)."""
        kind = (m.get(XSI_TYPE) or "").rsplit(":", 1)[-1]
        mid = text(m, "MembershipId") or None
        if kind == "PassportMember":
            email = text(m, "PassportName") or None
            network, kind = 1, "Passport"
        elif kind == "EmailMember":
            email = text(m, "Email") or None
            network, kind = 32, "Email"
            for note in children(child(m, "Annotations"), "Annotation"):
                if text(note, "Name") == "MSN.IM.BuddyType":
                    value = (text(note, "Value") or "").rstrip(":")
                    if not value.isdigit():
                        raise client_fault("BadArgument", "bad MSN.IM.BuddyType %r" % value)
                    network = int(value)
        else:
            raise client_fault("BadArgument", "unsupported member type %r" % kind)
        if email is not None and not valid_address(email):
            raise client_fault("BadEmailArgument", "Invalid e-mail address: %s" % email)
        return kind, email, network, mid

    def AddMember(self, call):
        book = self.book(call)
        plan = []
        for role, el in self.memberships(call, CLIENT_ROLES):
            kind, email, network, _ = self.parse_member(el)
            if email is None:
                raise client_fault("BadArgument", "AddMember needs the member's address")
            opposite = {"Allow": "Block", "Block": "Allow"}.get(role)
            if opposite and book.member(opposite, email) is not None:
                raise client_fault("BadArgument", "%s is on the %s list; remove it there first"
                                   % (email, opposite))
            if book.member(role, email) is not None or (role, email.lower()) in \
                    [(r, e.lower()) for r, e, _, _ in plan]:
                if role == "Reverse":
                    continue            # re-adding Reverse (accept flow) is harmless
                raise client_fault("MemberAlreadyExists", "Member already exists: %s in %s"
                                   % (email, role))
            plan.append((role, email, network, kind))
        for role, email, network, kind in plan:
            book.add_member(role, email, network, kind)
            log.info("%s: AddMember %s %s", book.owner, role, email)
        self.server.presence.privacy_changed(call.account)
        return '<AddMemberResponse xmlns="%s" />' % AB_NS

    def DeleteMember(self, call):
        book = self.book(call)
        plan = []
        for role, el in self.memberships(call, CLIENT_ROLES + ("Pending",)):
            kind, email, network, mid = self.parse_member(el)
            if email is not None:
                member = book.member(role, email)
            elif mid is not None:
                member = book.member_by_id(role, mid)
            else:
                raise client_fault("BadArgument", "Member needs an address or a MembershipId")
            if member is None or member in plan:
                raise client_fault("MemberDoesNotExist", "Member does not exist: %s in %s"
                                   % (email or "MembershipId " + mid, role))
            plan.append(member)
        for member in plan:
            book.remove_member(member)
            log.info("%s: DeleteMember %s %s", book.owner, member.role, member.email)
        self.server.presence.privacy_changed(call.account)
        return '<DeleteMemberResponse xmlns="%s" />' % AB_NS


def operations(server):
    svc = SharingService(server)
    return {name: getattr(svc, name) for name in ("FindMembership", "AddMember", "DeleteMember")}
