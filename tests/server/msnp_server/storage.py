"""/storageservice/SchematizedStore.asmx: a minimal roaming profile (docs/protocol/presence.md,
notification-server.md).

Only GetProfile and UpdateProfile, and only the ExpressionProfile's DisplayName and
PersonalStatus. The display name is the account's one (also the `Me` contact of ABFindAll and
the default NS friendly name). The token is the storage.msn.com ticket.
"""

import logging

from . import abch
from .abch import STORAGE_NS, child, text
from .contacts import MAX_DISPLAY_NAME, format_stamp, puid_of, xml_text

log = logging.getLogger("msnp.storage")


class StorageEndpoint(abch.Endpoint):
    def token(self, header):
        return text(header, "StorageUserHeader", "TicketToken", ns=STORAGE_NS)


class StorageService:
    def __init__(self, server):
        self.server = server
        self.books = server.books
        self.psm_changed = {}

    def header(self, call):
        book = self.books.get(call.account)
        return ('<AffinityCacheHeader xmlns="%s"><CacheKey>%s</CacheKey></AffinityCacheHeader>'
                '<StorageUserHeader xmlns="%s"><Puid>0</Puid><Cid>%d</Cid>'
                '<ApplicationId>0</ApplicationId><DeviceId>0</DeviceId>'
                '<IsTrustedDevice>false</IsTrustedDevice><IsStrongAuth>false</IsStrongAuth>'
                '<TicketToken>%s</TicketToken><IsAdmin>false</IsAdmin>'
                '<LanguagePreference>0</LanguagePreference><Claims /></StorageUserHeader>'
                % (STORAGE_NS, book.cache_key.replace("12r1:", "1p5D"), STORAGE_NS,
                   puid_of(book.owner), xml_text(call.ticket.string)))

    def GetProfile(self, call):
        book = self.books.get(call.account)
        cid = "%X" % puid_of(book.owner)
        psm_at = self.psm_changed.get(book.owner.lower(), book.created)
        modified = format_stamp(max(book.me.changed, psm_at))
        return ('<GetProfileResponse xmlns="%s"><GetProfileResult>'
                '<ResourceID>%s!106</ResourceID><DateModified>%s</DateModified>'
                '<ExpressionProfile><ResourceID>%s!118</ResourceID>'
                '<DateModified>%s</DateModified><Version>1</Version><Flags>0</Flags>'
                '<PersonalStatus>%s</PersonalStatus>'
                '<PersonalStatusLastModified>%s</PersonalStatusLastModified>'
                '<DisplayName>%s</DisplayName>'
                '<DisplayNameLastModified>%s</DisplayNameLastModified>'
                '<StaticUserTilePublicURL></StaticUserTilePublicURL>'
                '</ExpressionProfile></GetProfileResult></GetProfileResponse>'
                % (STORAGE_NS, cid, modified, cid, modified, xml_text(book.psm),
                   format_stamp(psm_at), xml_text(book.display_name),
                   format_stamp(book.me.changed)))

    def UpdateProfile(self, call):
        book = self.books.get(call.account)
        expr = child(call.body, "profile", "ExpressionProfile", ns=STORAGE_NS)
        if expr is None:
            raise abch.Fault("soap:Client", "profile/ExpressionProfile is missing",
                             "InvalidArgument")
        name = text(expr, "DisplayName", ns=STORAGE_NS)
        psm = text(expr, "PersonalStatus", ns=STORAGE_NS)
        if name is not None and (not name or len(name) > MAX_DISPLAY_NAME):
            raise abch.Fault("soap:Client", "DisplayName must have 1 to %d characters"
                             % MAX_DISPLAY_NAME, "InvalidArgument")
        if name is not None:
            book.set_display_name(name)
        if psm is not None:
            book.psm = psm
            self.psm_changed[book.owner.lower()] = book.clock.stamp()
        log.info("%s: UpdateProfile (DisplayName %r, PersonalStatus %r)", book.owner, name, psm)
        return '<UpdateProfileResponse xmlns="%s" />' % STORAGE_NS


def endpoint(server):
    svc = StorageService(server)
    ops = {"GetProfile": svc.GetProfile, "UpdateProfile": svc.UpdateProfile}
    return StorageEndpoint(server, "storage", STORAGE_NS, "storage.msn.com", ops, svc.header)

