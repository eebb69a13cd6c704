"""--bot-cross KIB: the bot opens a switchboard of its own to a user who just opened one to it.

Two switchboards between the same two people at once happen when both sides start something
at the same moment (both send a file, both fetch the other's picture): each asked for a
switchboard and called the other before the other's call arrived. Clients keep one of the two,
the one opened by the lower address on both sides (docs/protocol/p2p.md), and must lose nothing
that was on the other. The bot makes that happen on purpose:

  * when a user's file INVITE reaches the bot in a switchboard the user opened, the bot (at
    once, once per such switchboard) rings that user from a new switchboard, as it does for
    pictures (bot.Bot._ring), and when the user joins it sends `bot-file-KIB.bin` there
    (`Sending you ...`, then the INVITE: ft.FileSessions.send_file);
  * the bot keeps the same switchboard as the client: when the user's address is the lower one,
    the bot leaves its own right after that INVITE and goes on in the user's; otherwise it stays
    in its own and the user leaves theirs;
  * the bot's file sessions belong to the user, not to one switchboard: they follow the
    switchboard the user last spoke in, and one whose switchboard ends goes on in another
    switchboard the bot shares with that user (ft.FileSessions.heard/endpoint_closed).
"""

import logging

from . import sb

log = logging.getLogger("msnp.bot")


def file_offered(bot, member, remote):
    """A file INVITE from `remote` was accepted in `member`'s switchboard (a bot.BotMember)."""
    if not bot.cross_kib or member.opened_by_bot or member.crossed:
        return
    member.crossed = True
    server = member.session.service.server
    account = server.directory.get(remote)
    if account is None or account.session is None or account.session.wire.closed:
        return
    if sb.online_status(account) in (None, "HDN") or not sb.accepts(server, account, bot.email):
        return
    from .bot import BotMember, RING_TIMEOUT   # bot imports this module
    service = server.switchboard
    session = sb.Session(service)
    own = BotMember(bot, session)
    own.opened_by_bot = True
    own.file_on_join = (account.email, bot.cross_kib)
    session.members.append(own)
    cookie = service.new_cookie("rng", account.email, session)
    session.invited[account.email.lower()] = cookie
    account.session.send("RNG %s %s CKI %s %s %s U messenger.msn.com 1"
                         % (session.id, service.address, cookie, bot.email,
                            sb.urlenc(bot.friendly)))
    log.info("bot: crosses %s's switchboard %s with its own (session %s)", account.email,
             member.session.id, session.id)
    own.later(RING_TIMEOUT, lambda: own.give_up_ringing(account.email))


def joined(member, email):
    """`email` joined the bot's crossing switchboard: the bot's file goes there, and the bot
    leaves it at once when the user's switchboard is the one both sides keep."""
    bot = member.bot
    _, kib = member.file_on_join
    member.file_on_join = None
    bot.files.send_file(member.endpoint, email, kib)
    if email.lower() < bot.email.lower():
        log.info("bot: keeps %s's switchboard (the lower address); leaves session %s", email,
                 member.session.id)
        member.session.leave(member)
        member.session_ended(member.session)
