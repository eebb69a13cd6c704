"""/abservice/abservice.asmx: ABFindAll (full and delta), ABContactAdd/Delete/Update,
ABGroupAdd/Delete/Update, ABGroupContactAdd/Delete, ABAdd (docs/protocol/contact-list.md).

Responses follow the shape of tests/data/vectors/abfindall-response.xml, plus the `Me` contact
a real service includes. XML is built by joining strings; each contact's and group's fragment is
cached until it changes, so a 5,000-contact book is rendered in a few milliseconds.
"""

import base64
import hashlib
import logging

from . import abch, bot
from .abch import AB_NS, child, children, client_fault, text
from .contacts import (MAX_DISPLAY_NAME, MAX_FL, MAX_GROUP_NAME, MAX_GROUPS, ZERO_GUID,
                       MESSENGER_GROUP_TYPE, format_stamp, parse_stamp, puid_of, valid_address,
                       xml_text)

log = logging.getLogger("msnp.abservice")

NEVER = "0001-01-01T00:00:00"


# ---- rendering -----------------------------------------------------------------------------------

def group_xml(g):
    if g.xml is None:
        g.xml = ("<Group><groupId>%s</groupId><groupInfo><annotations><Annotation>"
                 "<Name>MSN.IM.Display</Name><Value>1</Value></Annotation></annotations>"
                 "<groupType>%s</groupType><name>%s</name>"
                 "<IsNotMobileVisible>false</IsNotMobileVisible><IsPrivate>false</IsPrivate>"
                 "<IsFavorite>%s</IsFavorite></groupInfo><propertiesChanged />"
                 "<fDeleted>%s</fDeleted><lastChange>%s</lastChange></Group>"
                 % (g.id, MESSENGER_GROUP_TYPE, xml_text(g.name),
                    "true" if g.favorite else "false", "true" if g.deleted else "false",
                    format_stamp(g.changed)))
    return g.xml


def contact_xml(c):
    if c.xml is None:
        name = xml_text(c.display_name)
        groups = "".join("<guid>%s</guid>" % gid for gid in c.groups)
        notes = ""
        if c.nickname:
            notes = ("<annotations><Annotation><Name>AB.NickName</Name><Value>%s</Value>"
                     "</Annotation></annotations>" % xml_text(c.nickname))
        c.xml = ("<Contact><contactId>%s</contactId><contactInfo>"
                 "<contactType>%s</contactType><quickName>%s</quickName>"
                 "<passportName>%s</passportName><IsPassportNameHidden>false"
                 "</IsPassportNameHidden><displayName>%s</displayName><puid>0</puid>"
                 "<groupIds>%s</groupIds>%s<CID>%d</CID>"
                 "<IsNotMobileVisible>false</IsNotMobileVisible>"
                 "<isMobileIMEnabled>false</isMobileIMEnabled>"
                 "<isMessengerUser>%s</isMessengerUser><isFavorite>false</isFavorite>"
                 "<isSmtp>false</isSmtp><hasSpace>false</hasSpace>"
                 "<spotWatchState>NoDevice</spotWatchState><birthdate>%s</birthdate>"
                 "<primaryEmailType>ContactEmailPersonal</primaryEmailType>"
                 "<PrimaryLocation>ContactLocationPersonal</PrimaryLocation>"
                 "<PrimaryPhone>ContactPhonePersonal</PrimaryPhone><IsPrivate>false</IsPrivate>"
                 "<Gender>Unspecified</Gender><TimeZone>None</TimeZone></contactInfo>"
                 "<propertiesChanged /><fDeleted>%s</fDeleted><lastChange>%s</lastChange>"
                 "</Contact>"
                 % (c.id, c.kind, name, xml_text(c.email), name, groups, notes,
                    puid_of(c.email), "true" if c.messenger else "false", NEVER,
                    "true" if c.deleted else "false", format_stamp(c.changed)))
    return c.xml


def circle_ticket(book):
    inner = ('<?xml version="1.0" encoding="utf-16"?>\r\n<Ticket xmlns:xsi="http://www.w3.org/'
             '2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\r\n'
             '  <TS>%s</TS>\r\n  <CID>%d</CID>\r\n</Ticket>'
             % (format_stamp(book.created), puid_of(book.owner)))
    data = base64.b64encode(inner.encode("utf-8")).decode()
    sig = base64.b64encode(b"".join(hashlib.sha1(b"%d%s" % (i, data.encode())).digest()
                                    for i in range(7))[:128]).decode()
    ticket = ('<?xml version="1.0" encoding="utf-16"?><SignedTicket xmlns:xsi="http://www.w3.org'
              '/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ver="1" '
              'keyVer="1"><Data>%s</Data><Sig>%s</Sig></SignedTicket>' % (data, sig))
    return "<CircleResult><CircleTicket>%s</CircleTicket></CircleResult>" % xml_text(ticket)


def find_all_xml(book, since=None):
    groups = [g for g in book.groups.values()
              if (since is None and not g.deleted) or (since is not None and g.changed > since)]
    contacts = [c for c in book.contacts.values()
                if (since is None and not c.deleted) or (since is not None and c.changed > since)]
    parts = ['<ABFindAllResponse xmlns="%s"><ABFindAllResult><groups>' % AB_NS]
    parts.extend(group_xml(g) for g in groups)
    parts.append("</groups><contacts>")
    parts.extend(contact_xml(c) for c in contacts)
    parts.append("</contacts>")
    parts.append(circle_ticket(book))
    parts.append("<ab><abId>%s</abId><abInfo><ownerPuid>0</ownerPuid><OwnerCID>%d</OwnerCID>"
                 "<ownerEmail>%s</ownerEmail><fDefault>true</fDefault>"
                 "<joinedNamespace>false</joinedNamespace><IsBot>false</IsBot>"
                 "<IsParentManaged>false</IsParentManaged>"
                 "<SubscribeExternalPartner>false</SubscribeExternalPartner>"
                 "<NotifyExternalPartner>false</NotifyExternalPartner>"
                 "<AddressBookType>Individual</AddressBookType></abInfo>"
                 "<lastChange>%s</lastChange><DynamicItemLastChanged>%s</DynamicItemLastChanged>"
                 "<createDate>%s</createDate><propertiesChanged /></ab>"
                 "</ABFindAllResult></ABFindAllResponse>"
                 % (ZERO_GUID, puid_of(book.owner), xml_text(book.owner),
                    format_stamp(book.ab_changed), NEVER, format_stamp(book.created)))
    return "".join(parts)


def empty(op):
    return '<%sResponse xmlns="%s" />' % (op, AB_NS)


# ---- faults ----------------------------------------------------------------------------------

def full_sync(why):
    return client_fault("FullSyncRequired", "Full sync required.  Details: %s" % why)


def contact_missing(cid):
    return client_fault("ContactDoesNotExist", "Contact does not exist: %s" % cid)


def group_missing(gid):
    return client_fault("GroupDoesNotExist", "Group does not exist: %s" % gid)


# ---- operations --------------------------------------------------------------------------------

class AbService:
    def __init__(self, server):
        self.server = server
        self.books = server.books

    @property
    def presence(self):
        return self.server.presence

    def book(self, call, must_exist=True):
        book = self.books.get(call.account)
        if must_exist and not book.exists:
            raise client_fault("ABDoesNotExist", "Address book does not exist")
        ab_id = text(call.body, "abId")
        if ab_id is not None and ab_id.lower() != ZERO_GUID:
            raise client_fault("ABDoesNotExist", "Address book %s does not exist" % ab_id)
        return book

    def find_contact(self, book, cid):
        c = book.contacts.get((cid or "").lower())
        if c is None or c.deleted:
            raise contact_missing(cid)
        return c

    def find_group(self, book, gid):
        g = book.groups.get((gid or "").lower())
        if g is None or g.deleted:
            raise group_missing(gid)
        return g

    def check_group_name(self, book, name, same=None):
        if not name:
            raise client_fault("BadArgumentLength", "Group name must not be empty")
        if len(name) > MAX_GROUP_NAME:
            raise client_fault("BadArgumentLength", "Group name is longer than %d characters"
                               % MAX_GROUP_NAME)
        other = book.group_by_name(name)
        if other is not None and other is not same:
            raise client_fault("GroupAlreadyExists", "Group already exists: %s" % name,
                               "<conflictObjectId>%s</conflictObjectId>" % other.id)

    def check_fl_room(self, book):
        if book.fl_count() >= MAX_FL:
            raise client_fault("QuotaLimitReached", "Contact limit reached: the forward list "
                               "already holds %d contacts (maximum %d)"
                               % (book.fl_count(), MAX_FL))

    # -- ABFindAll --

    def ABFindAll(self, call):
        book = self.book(call)
        delta = abch.boolean(text(call.body, "deltasOnly"), "deltasOnly")
        if not delta:
            return find_all_xml(book)
        raw = text(call.body, "lastChange")
        since = parse_stamp(raw)
        if since is None:
            raise full_sync("lastChange %r is not a timestamp this service issued" % raw)
        if not book.delta_ok(since):
            raise full_sync("lastChange %s is %s" % (raw, "too old" if since < book.horizon
                                                     else "unknown (in the future)"))
        return find_all_xml(book, since)

    # -- contacts --

    def new_contact(self, call, book, info, allow_list):
        """Create an FL contact from a contactInfo element; -> Contact."""
        email = text(info, "passportName")
        if not email:
            raise client_fault("BadArgument", "contactInfo has no passportName")
        if not valid_address(email):
            raise client_fault("BadEmailArgument", "Invalid e-mail address: %s" % email)
        if email.lower() == book.owner.lower():
            raise client_fault("InvalidPassportUser", "Cannot add yourself as a contact")
        messenger = abch.boolean(text(info, "isMessengerUser"), "isMessengerUser")
        messenger = True if messenger is None else messenger
        if messenger and not self.presence.is_passport(email):
            raise client_fault("InvalidPassportUser", "Not a Passport user: %s" % email)
        old = book.contact(email)
        if old is not None:
            raise client_fault("ContactAlreadyExists", "Contact already exists: %s" % email,
                               "<conflictObjectId>%s</conflictObjectId>" % old.id)
        if messenger:
            self.check_fl_room(book)
        target_book = self.books.get(email)
        robot = bot.presence(self.server, email)
        name = target_book.display_name if target_book is not None else \
            (robot.friendly if robot is not None else email)
        c = book.add_contact(email, name, messenger=messenger)
        if messenger:
            invite = child(info, "MessengerMemberInfo")
            invite_name = text(invite, "DisplayName") or None
            message = None
            for note in children(child(invite, "PendingAnnotations"), "Annotation"):
                if text(note, "Name") == "MSN.IM.InviteMessage":
                    message = text(note, "Value")
            if allow_list and book.member("Allow", email) is None \
                    and book.member("Block", email) is None:
                book.add_member("Allow", email)
            self.presence.contact_added(call.account, email, invite_name, message)
            if allow_list:
                self.presence.privacy_changed(call.account)
        log.info("%s added contact %s (%s)", book.owner, email, c.id)
        return c

    def ABContactAdd(self, call):
        book = self.book(call)
        contacts = children(child(call.body, "contacts"), "Contact")
        if len(contacts) != 1:
            raise client_fault("BadArgument", "ABContactAdd takes exactly one Contact, got %d"
                               % len(contacts))
        info = child(contacts[0], "contactInfo")
        if info is None:
            raise client_fault("BadArgument", "Contact without contactInfo")
        allow = abch.boolean(text(call.body, "options", "EnableAllowListManagement"),
                             "EnableAllowListManagement")
        c = self.new_contact(call, book, info, bool(allow))
        return ('<ABContactAddResponse xmlns="%s"><ABContactAddResult><guid>%s</guid>'
                '</ABContactAddResult></ABContactAddResponse>' % (AB_NS, c.id))

    def ABContactDelete(self, call):
        book = self.book(call)
        ids = [text(c, "contactId") for c in children(child(call.body, "contacts"), "Contact")]
        if not ids:
            raise client_fault("BadArgument", "ABContactDelete without contacts")
        targets = [self.find_contact(book, cid) for cid in ids]
        if any(c.kind == "Me" for c in targets):
            raise client_fault("BadArgument", "The Me contact cannot be deleted")
        for c in targets:
            if c.deleted:
                continue
            was_fl = c.messenger
            book.delete_contact(c)
            log.info("%s deleted contact %s", book.owner, c.email)
            if was_fl:
                self.presence.contact_removed(call.account, c.email)
        return empty("ABContactDelete")

    def ABContactUpdate(self, call):
        book = self.book(call)
        items = children(child(call.body, "contacts"), "Contact")
        if not items:
            raise client_fault("BadArgument", "ABContactUpdate without contacts")
        plans = []
        for item in items:
            info = child(item, "contactInfo")
            cid = text(item, "contactId")
            if cid:
                c = self.find_contact(book, cid)
            elif text(info, "contactType") == "Me":
                c = book.me
            else:
                raise client_fault("BadArgument", "Contact without contactId (and not Me)")
            props = (text(item, "propertiesChanged") or "").split()
            if not props:
                raise client_fault("BadArgument", "propertiesChanged is empty")
            change = {}
            for prop in props:
                if prop == "DisplayName":
                    name = text(info, "displayName")
                    if not name or len(name) > MAX_DISPLAY_NAME:
                        raise client_fault("BadArgumentLength", "displayName must have 1 to %d "
                                           "characters" % MAX_DISPLAY_NAME)
                    change["name"] = name
                elif prop == "IsMessengerUser":
                    value = abch.boolean(text(info, "isMessengerUser"), "isMessengerUser")
                    if value is None or c.kind == "Me":
                        raise client_fault("BadArgument", "IsMessengerUser needs a value and "
                                           "a regular contact")
                    if value and not c.messenger:
                        if not self.presence.is_passport(c.email):
                            raise client_fault("InvalidPassportUser", "Not a Passport user: %s"
                                               % c.email)
                        self.check_fl_room(book)
                    change["messenger"] = value
                elif prop == "Annotation":
                    nick = None
                    for note in children(child(info, "annotations"), "Annotation"):
                        if text(note, "Name") == "AB.NickName":
                            nick = text(note, "Value") or None
                    change["nickname"] = nick
                else:
                    log.info("ABContactUpdate: ignoring property %s", prop)
            plans.append((c, change))
        for c, change in plans:
            if c.kind == "Me":
                if "name" in change:
                    book.set_display_name(change["name"])
                continue
            if "name" in change:
                c.display_name = change["name"]
            if "nickname" in change:
                c.nickname = change["nickname"]
            became = change.get("messenger")
            if became is not None and became != c.messenger:
                c.messenger = became
                if became:
                    self.presence.contact_added(call.account, c.email, None, None)
                else:
                    self.presence.contact_removed(call.account, c.email)
            book.update_contact(c)
        return empty("ABContactUpdate")

    # -- groups --

    def ABGroupAdd(self, call):
        book = self.book(call)
        info = child(call.body, "groupInfo", "GroupInfo")
        name = text(info, "name")
        self.check_group_name(book, name)
        if len(book.live_groups()) >= MAX_GROUPS:
            raise client_fault("QuotaLimitReached", "Group limit reached (maximum %d)"
                               % MAX_GROUPS)
        g = book.add_group(name)
        fav = text(info, "IsFavorite")
        if fav is not None:
            g.favorite = bool(abch.boolean(fav, "IsFavorite"))
        return ('<ABGroupAddResponse xmlns="%s"><ABGroupAddResult><guid>%s</guid>'
                '</ABGroupAddResult></ABGroupAddResponse>' % (AB_NS, g.id))

    def group_filter(self, call, book, single=False):
        ids = [(el.text or "").strip()
               for el in children(child(call.body, "groupFilter", "groupIds"), "guid")]
        if not ids or (single and len(ids) != 1):
            raise client_fault("BadArgument", "groupFilter/groupIds needs %s guid"
                               % ("exactly one" if single else "at least one"))
        return [self.find_group(book, gid) for gid in ids]

    def ABGroupDelete(self, call):
        book = self.book(call)
        for g in self.group_filter(call, book):
            if not g.deleted:
                book.delete_group(g)
        return empty("ABGroupDelete")

    def ABGroupUpdate(self, call):
        book = self.book(call)
        items = children(child(call.body, "groups"), "Group")
        if not items:
            raise client_fault("BadArgument", "ABGroupUpdate without groups")
        plans = []
        for item in items:
            g = self.find_group(book, text(item, "groupId"))
            props = (text(item, "propertiesChanged") or "").split()
            name = text(item, "groupInfo", "name")
            if "GroupName" in props:
                self.check_group_name(book, name, same=g)
            plans.append((g, name if "GroupName" in props else None))
        for g, name in plans:
            if name is not None:
                book.rename_group(g, name)
        return empty("ABGroupUpdate")

    def ABGroupContactAdd(self, call):
        book = self.book(call)
        (g,) = self.group_filter(call, book, single=True)
        items = children(child(call.body, "contacts"), "Contact")
        if len(items) != 1:
            raise client_fault("BadArgument", "ABGroupContactAdd takes exactly one Contact")
        cid = text(items[0], "contactId")
        if cid:
            c = self.find_contact(book, cid)
            if c.kind == "Me":
                raise client_fault("BadArgument", "The Me contact cannot be put in a group")
            if g.id in c.groups:
                raise client_fault("ContactAlreadyExists", "Contact is already in the group")
        else:
            info = child(items[0], "contactInfo")
            if info is None:
                raise client_fault("BadArgument", "Contact needs a contactId or contactInfo")
            allow = abch.boolean(text(call.body, "groupContactAddOptions",
                                      "EnableAllowListManagement"), "EnableAllowListManagement")
            c = self.new_contact(call, book, info, bool(allow))
        book.group_contact(g, c, True)
        return ('<ABGroupContactAddResponse xmlns="%s"><ABGroupContactAddResult><guid>%s</guid>'
                '</ABGroupContactAddResult></ABGroupContactAddResponse>' % (AB_NS, c.id))

    def ABGroupContactDelete(self, call):
        book = self.book(call)
        (g,) = self.group_filter(call, book, single=True)
        items = children(child(call.body, "contacts"), "Contact")
        if not items:
            raise client_fault("BadArgument", "ABGroupContactDelete without contacts")
        targets = [self.find_contact(book, text(item, "contactId")) for item in items]
        for c in targets:
            if g.id not in c.groups:
                raise client_fault("ContactDoesNotExist", "Contact %s is not in group %s"
                                   % (c.id, g.id))
        for c in targets:
            book.group_contact(g, c, False)
        return empty("ABGroupContactDelete")

    # -- the book itself --

    def ABAdd(self, call):
        book = self.book(call, must_exist=False)
        owner = text(call.body, "abInfo", "ownerEmail")
        if not owner or owner.lower() != call.account.email.lower():
            raise client_fault("BadArgument", "abInfo/ownerEmail must be the signed-in account")
        if book.exists:
            raise client_fault("ABAlreadyExists", "Address book already exists")
        book.exists = True
        log.info("address book created for %s", book.owner)
        return ('<ABAddResponse xmlns="%s"><ABAddResult>%s</ABAddResult></ABAddResponse>'
                % (AB_NS, ZERO_GUID))


def operations(server):
    svc = AbService(server)
    names = ("ABFindAll", "ABContactAdd", "ABContactDelete", "ABContactUpdate", "ABGroupAdd",
             "ABGroupDelete", "ABGroupUpdate", "ABGroupContactAdd", "ABGroupContactDelete",
             "ABAdd")
    return {name: getattr(svc, name) for name in names}
