"""Payloads of the `MSG Hotmail Hotmail {len}` messages sent right after sign-in."""

EMPTY_MAIL_DATA = ("<MD><E><I>0</I><IU>0</IU><O>0</O><OU>0</OU></E>"
                   "<Q><QTM>409600</QTM><QNM>204800</QNM></Q></MD>")


def _crlf(lines):
    return "".join(line + "\r\n" for line in lines).encode("utf-8")


def profile(login_time, puid, mspauth, client_ip, client_port):
    """text/x-msmsgsprofile. ClientPort is the port in network byte order, as a number."""
    swapped = ((client_port & 0xFF) << 8) | ((client_port >> 8) & 0xFF)
    return _crlf([
        "MIME-Version: 1.0",
        "Content-Type: text/x-msmsgsprofile; charset=UTF-8",
        "LoginTime: %d" % login_time,
        "EmailEnabled: 1",
        "MemberIdHigh: %d" % (puid >> 32),
        "MemberIdLow: %d" % (puid & 0xFFFFFFFF),
        "lang_preference: 1033",
        "preferredEmail:",
        "country:",
        "PostalCode:",
        "Gender:",
        "Kid: 0",
        "Age:",
        "BDayPre:",
        "Birthday:",
        "Wallet:",
        "Flags: 536872513",
        "MSPAuth: %s" % mspauth,
        "sid: 507",
        "ClientIP: %s" % client_ip,
        "ClientPort: %d" % swapped,
        "ABCHMigrated: 1",
        "MPOPEnabled: 1",
        "",
    ])


def initial_mail_data(mail_data=EMPTY_MAIL_DATA):
    """text/x-msmsgsinitialmdatanotification."""
    return _crlf([
        "MIME-Version: 1.0",
        "Content-Type: text/x-msmsgsinitialmdatanotification; charset=UTF-8",
        "",
        "Mail-Data: %s" % mail_data,
        "Inbox-URL: /cgi-bin/HoTMaiL",
        "Folders-URL: /cgi-bin/folders",
        "Post-URL: http://www.hotmail.com",
    ])
