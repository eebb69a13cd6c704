"""Local reference MSNP15 server used by purple-msnp's integration tests.

Written from the MSNP15 reference (summarised in docs/protocol/) independently of the C++ engine.
Modules, by role:
  config     command-line options and the Config they produce
  certs      test CA and localhost server certificate
  mbi        MBI key derivation / blob build / blob verification (USR SSO S)
  challenge  CHL -> QRY answer
  faults     the --fault names and how they are looked up
  accounts   accounts, issued Passport tickets, online sessions
  wire       NS line/payload framing
  payloads   NS payloads sent by "Hotmail" (profile, initial mail data)
  ns         notification server (and dispatch server) connections
  web        minimal HTTP/1.1 server over TLS with a routing table
  rst        RST.srf (Passport login) handler
  sb         switchboard server (XFR SB cookies, USR/ANS/CAL/MSG/OUT, RNG, BYE, idle timeout)
  oim        offline messages: Store2, rsi, Mail-Data
  bot        the --bot echo account
  contacts   address books and memberships per account, generated books (--contacts)
  abch       SOAP plumbing of the contact/storage services: checks, TicketToken, faults
  abservice  /abservice/abservice.asmx (ABFindAll, ABContact*, ABGroup*, ABAdd)
  sharing    /abservice/SharingService.asmx (FindMembership, AddMember, DeleteMember)
  storage    /storageservice/SchematizedStore.asmx (GetProfile, UpdateProfile)
  presence   ADL/RML/FQY checks, ILN/NLN/FLN/UBX fan-out, reverse-list ADL/RML
  main       startup, READY line, signal handling
"""
