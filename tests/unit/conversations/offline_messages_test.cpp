// SPDX-License-Identifier: GPL-2.0-or-later
// Offline messages (docs/protocol/offline-messages.md, transcript 03): the Store2 body and LockKey
// exactly as in vectors/oim.txt and challenge.tsv, the LockKey handshake, Mail-Data, GetMessage
// mails in their encodings, ordering, and malformed answers.
#include <sstream>
#include <string>
#include <vector>

#include "auth/challenge.h"
#include "soap/offline_messages.h"
#include "soap/xml.h"
#include "wire/mime_message.h"
#include "cmocka_cpp.h"

namespace {

namespace soap = msn::soap;
using msn::Errc;

// One "[section]" key=value (or content_begin/content_end block) of vectors/oim.txt.
std::string oim_vector(const std::string& section, const std::string& key) {
  std::istringstream in(msn::test::read_data_file("vectors/oim.txt"));
  std::string line, current, block;
  bool in_block = false;
  while (std::getline(in, line)) {
    if (in_block) {
      if (line == "content_end") return block;
      block += (block.empty() ? "" : "\n") + line;
      continue;
    }
    if (!line.empty() && line[0] == '[') current = line.substr(1, line.find(']') - 1);
    if (current != section) continue;
    if (line == "content_begin" && key == "content") {
      in_block = true;
      continue;
    }
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return {};
}

std::string envelope(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
         "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>" +
         body + "</soap:Body></soap:Envelope>";
}

// Transcript 03's GetMessageResult text.
const std::string kMail =
    "X-Message-Info: cwRBnLifKNE8dVZlNj6AiX8142B67OTjG9BFMLMyzuui1H4Xx7m3NQ==\n"
    "Received: from OIM-SSI02.phx.gbl ([65.54.237.206]) by oim1-f1.hotmail.com with Microsoft SMTPSVC(6.0.3790.211);\n"
    "\t Sun, 01 Jun 2008 04:00:00 -0800\n"
    "From: =?utf-8?B?Qm9i?= <bob@example.com>\n"
    "To: alice@example.com\n"
    "Subject: \n"
    "X-OIM-originatingSource: 192.0.2.55\n"
    "X-OIMProxy: MSNMSGR\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: base64\n"
    "X-OIM-Message-Type: OfflineMessage\n"
    "X-OIM-Run-Id: {6E1A0C3B-2D4F-4A5B-8C9D-0E1F2A3B4C5D}\n"
    "X-OIM-Sequence-Num: 1\n"
    "Message-ID: <OIM-SSI02zDv60gxapz00061a8b@OIM-SSI02.phx.gbl>\n"
    "X-OriginalArrivalTime: 01 Jun 2008 11:00:00.0000 (UTC) FILETIME=[...]\n"
    "Date: 01 Jun 2008 04:00:00 -0800\n"
    "Return-Path: ndr@oim.messenger.msn.com\n"
    "\n"
    "U2VlIHlvdSB0b21vcnJvdyE=\n";

constexpr std::int64_t kJune1Noon = 1212321600;  // 2008-06-01T12:00:00Z

void test_content_matches_vector(void** /*state*/) {
  const std::string text = oim_vector("content", "text");
  const std::string expected = oim_vector("content", "content");
  assert_false(text.empty());
  assert_false(expected.empty());
  assert_bytes_equal(soap::build_oim_content(text, "{3A3BE82F-1A3C-4E8B-9B1B-4F0D2E1B2C3D}", 1), expected);
  assert_bytes_equal(soap::build_oim_content(text, "3A3BE82F-1A3C-4E8B-9B1B-4F0D2E1B2C3D", 1), expected);
  // Exactly 76 base64 characters: one line, no LF.
  const std::string one_line = soap::build_oim_content(std::string(57, 'a'), "{X}", 2);
  assert_true(one_line.size() > 76 && one_line.substr(one_line.size() - 77, 1) == "\n");
  assert_true(one_line.find("X-OIM-Sequence-Num: 2\n\n") != std::string::npos);
}

void test_friendly_name_vector(void** /*state*/) {
  assert_bytes_equal(soap::rfc2047_encode(oim_vector("friendly-name", "input")),
                     oim_vector("friendly-name", "rfc2047"));
  assert_bytes_equal(soap::rfc2047_decode(oim_vector("friendly-name", "rfc2047")), "alice@example.com");
}

void test_lock_key_vectors(void** /*state*/) {
  assert_bytes_equal(soap::lock_key_for(oim_vector("lockkey", "lockkey_challenge")), oim_vector("lockkey", "lockkey"));
  std::istringstream rows(msn::test::read_data_file("vectors/challenge.tsv"));
  std::string line;
  int checked = 0;
  while (std::getline(rows, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    assert_bytes_equal(soap::lock_key_for(line.substr(0, tab)), line.substr(tab + 1));
    ++checked;
  }
  assert_true(checked >= 10);
}

void test_store_request(void** /*state*/) {
  soap::OimStoreRequest r;
  r.from_account = "alice@example.com";
  r.friendly_name = "alice@example.com";
  r.to_account = "carol@example.net";
  r.ticket = "t=tick&p=pp";
  r.run_id = "{3A3BE82F-1A3C-4E8B-9B1B-4F0D2E1B2C3D}";
  r.sequence = 1;
  r.text = oim_vector("content", "text");
  const std::string body = soap::build_store_request(r);
  assert_true(body.find("<From memberName=\"alice@example.com\" friendlyName=\"=?utf-8?B?YWxpY2VAZXhhbXBsZS5jb20=?=\" "
                        "xml:lang=\"en-US\" proxy=\"MSNMSGR\" xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\" "
                        "msnpVer=\"MSNP15\" buildVer=\"8.5.1288\"/>") != std::string::npos);
  assert_true(body.find("<To memberName=\"carol@example.net\" xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\"/>") !=
              std::string::npos);
  assert_true(body.find("<Ticket passport=\"t=tick&amp;p=pp\" appid=\"PROD0119GSJUC$18\" lockkey=\"\" "
                        "xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\"/>") != std::string::npos);
  assert_true(body.find("<MessageNumber>1</MessageNumber>") != std::string::npos);
  // It is well-formed, and its Content is exactly the vector.
  auto doc = soap::XmlDocument::parse(body);
  assert_true(doc.is_ok());
  assert_bytes_equal(soap::text(soap::path(doc->root(), {"Body", "Content"})), oim_vector("content", "content"));
  assert_bytes_equal(soap::text(soap::path(doc->root(), {"Body", "MessageType"})), "text");
  assert_bytes_equal(soap::attribute(soap::path(doc->root(), {"Header", "Ticket"}), "passport"), "t=tick&p=pp");
}

const std::string kLockKeyFault = envelope(
    "<soap:Fault><faultcode>q0:AuthenticationFailed</faultcode><faultstring>Exception of type x was thrown."
    "</faultstring><detail><TweenerChallenge xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\">tw</TweenerChallenge>"
    "<LockKeyChallenge xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\">29409134351025259292</LockKeyChallenge>"
    "</detail></soap:Fault>");

void test_store_answers(void** /*state*/) {
  auto challenge = soap::parse_store_response(kLockKeyFault);
  assert_true(challenge.is_ok());
  assert_int_equal(challenge->result, soap::StoreResult::kLockKeyChallenge);
  assert_bytes_equal(challenge->lock_key_challenge, "29409134351025259292");
  assert_bytes_equal(challenge->fault_code, "AuthenticationFailed");

  const struct {
    std::string xml;
    soap::StoreResult result;
  } cases[] = {
      {envelope("<StoreResponse xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\"/>"), soap::StoreResult::kStored},
      {envelope("<soap:Fault><faultcode>q0:AuthenticationFailed</faultcode><detail/></soap:Fault>"),
       soap::StoreResult::kAuthenticationFailed},
      {envelope("<soap:Fault><faultcode>q0:AuthenticationFailed</faultcode><detail><RequiredAuthPolicy>MBI_SSL"
                "</RequiredAuthPolicy></detail></soap:Fault>"),
       soap::StoreResult::kTicketExpired},
      {envelope("<soap:Fault><faultcode>q0:BadContextToken</faultcode></soap:Fault>"), soap::StoreResult::kTicketExpired},
      {envelope("<soap:Fault><faultcode>q0:SystemUnavailable</faultcode></soap:Fault>"),
       soap::StoreResult::kRecipientUnavailable},
      {envelope("<soap:Fault><faultcode>SenderThrottleLimitExceeded</faultcode></soap:Fault>"),
       soap::StoreResult::kThrottled},
      {envelope("<soap:Fault><faultcode>q0:InvalidContent</faultcode></soap:Fault>"), soap::StoreResult::kInvalidContent},
      {envelope("<soap:Fault><faultcode>q0:Whatever</faultcode></soap:Fault>"), soap::StoreResult::kOtherFault},
  };
  for (const auto& c : cases) {
    auto outcome = soap::parse_store_response(c.xml);
    assert_true(outcome.is_ok());
    assert_int_equal(outcome->result, c.result);
  }
  for (const std::string& bad : {std::string(""), std::string("<html>busy</html>"), std::string("<soap:Envelope"),
                                std::string("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><Envelope/>"),
                                envelope("<soap:Fault><faultcode>x</faultcode><detail><LockKeyChallenge>" +
                                         std::string(300, '1') + "</LockKeyChallenge></detail></soap:Fault>")}) {
    auto outcome = soap::parse_store_response(bad);
    assert_false(outcome.is_ok());
    assert_int_equal(outcome.error().code, Errc::kSoap);
  }
}

void test_lock_key_handshake(void** /*state*/) {
  soap::OimSender sender("alice@example.com", "alice@example.com", "{3A3BE82F-1A3C-4E8B-9B1B-4F0D2E1B2C3D}");
  const std::string first = sender.request("carol@example.net", "hi", "t=a&p=b");
  assert_true(first.find("lockkey=\"\"") != std::string::npos);
  // Transcript 03 step 2 and 3: the challenge is answered and the identical request resent.
  assert_int_equal(sender.on_answer(soap::parse_store_response(kLockKeyFault), 1), soap::OimSender::Next::kResend);
  assert_bytes_equal(sender.lock_key(), "15afbac39c56a0b56001e32af423f912");
  const std::string second = sender.request("carol@example.net", "hi", "t=a&p=b");
  assert_true(second.find("lockkey=\"15afbac39c56a0b56001e32af423f912\"") != std::string::npos);
  assert_true(second.find("<MessageNumber>1</MessageNumber>") != std::string::npos);
  // Step 4: stored; the next message gets the next sequence number and keeps the lock key.
  const auto stored = soap::parse_store_response(envelope("<StoreResponse/>"));
  assert_int_equal(sender.on_answer(stored, 2), soap::OimSender::Next::kStored);
  assert_int_equal(sender.sequence(), 2);
  const std::string next = sender.request("carol@example.net", "again", "t=a&p=b");
  assert_true(next.find("<MessageNumber>2</MessageNumber>") != std::string::npos);
  assert_true(next.find("X-OIM-Sequence-Num: 2") != std::string::npos);
  // A refusal without a challenge while holding a lock key: drop it, resend once.
  const auto refused =
      soap::parse_store_response(envelope("<soap:Fault><faultcode>q0:AuthenticationFailed</faultcode></soap:Fault>"));
  assert_int_equal(sender.on_answer(refused, 1), soap::OimSender::Next::kResend);
  assert_true(sender.lock_key().empty());
  assert_int_equal(sender.on_answer(refused, 2), soap::OimSender::Next::kRenewTicket);
  // Attempts are bounded: a server that keeps challenging cannot loop us.
  assert_int_equal(sender.on_answer(soap::parse_store_response(kLockKeyFault), soap::OimSender::kMaxAttempts),
                   soap::OimSender::Next::kFailed);
  assert_int_equal(sender.on_answer(soap::parse_store_response("junk"), 1), soap::OimSender::Next::kFailed);
  const auto gone =
      soap::parse_store_response(envelope("<soap:Fault><faultcode>q0:SystemUnavailable</faultcode></soap:Fault>"));
  assert_int_equal(sender.on_answer(gone, 1), soap::OimSender::Next::kFailed);
  assert_int_equal(sender.sequence(), 2);
}

const std::string kMailData =
    "<MD><E><I>0</I><IU>0</IU><O>0</O><OU>0</OU></E><Q><QTM>409600</QTM><QNM>204800</QNM></Q>"
    "<M><T>11</T><S>6</S><RT>2008-06-01T11:00:00Z</RT><RS>0</RS><SZ>880</SZ><E>bob@example.com</E>"
    "<I>0B0F2C5A-1D2E-4F3A-9B8C-7D6E5F4A3B2C</I><F>00000000-0000-0000-0000-000000000009</F><N>=?utf-8?B?Qm9i?=</N></M>"
    "<M><T>11</T><RT>2008-06-01T11:05:00.123-07:00</RT><SZ>x</SZ><E>carol@example.net</E><I>ID2</I>"
    "<N>=?iso-8859-1?Q?Caf=E9_Bar?=</N></M>"
    "<M><E>no-id@example.com</E></M>"
    "</MD>";

void test_mail_data(void** /*state*/) {
  auto data = soap::parse_mail_data(kMailData);
  assert_true(data.is_ok());
  assert_false(data->too_large);
  assert_int_equal(data->messages.size(), 2);
  const auto& bob = data->messages[0];
  assert_bytes_equal(bob.sender, "bob@example.com");
  assert_bytes_equal(bob.message_id, "0B0F2C5A-1D2E-4F3A-9B8C-7D6E5F4A3B2C");
  assert_bytes_equal(bob.friendly_name, "Bob");
  assert_bytes_equal(bob.received, "2008-06-01T11:00:00Z");
  assert_true(bob.received_time == kJune1Noon - 3600);
  assert_int_equal(bob.size, 880);
  assert_int_equal(bob.type, 11);
  const auto& carol = data->messages[1];
  assert_bytes_equal(carol.friendly_name, "Caf\xC3\xA9 Bar");
  assert_true(carol.received_time == kJune1Noon - 3600 + 300 + 7 * 3600);
  assert_int_equal(carol.size, 0);

  auto too_large = soap::parse_mail_data(" too-large\r\n");
  assert_true(too_large.is_ok() && too_large->too_large);
  assert_false(soap::parse_mail_data("<MD><M>").is_ok());
  assert_false(soap::parse_mail_data("<NotMD/>").is_ok());
  assert_true(soap::parse_mail_data("<MD/>")->messages.empty());
  // More entries than the bound: the first kMaxMailDataEntries are kept.
  std::string many = "<MD>";
  for (std::size_t i = 0; i < soap::kMaxMailDataEntries + 5; ++i) many += "<M><E>a@b</E><I>" + std::to_string(i) + "</I></M>";
  assert_int_equal(soap::parse_mail_data(many + "</MD>")->messages.size(), soap::kMaxMailDataEntries);
}

// Names from the mail data and from a mail's From header reach the UI: cut to what the
// service allows for a friendly name, however long the peer made them.
void test_oim_names_bounded(void** /*state*/) {
  const std::string long_name(5000, 'x');
  auto data = soap::parse_mail_data("<MD><M><E>a@b</E><I>1</I><N>" + long_name + "</N></M></MD>");
  assert_true(data.is_ok());
  assert_int_equal(data->messages.at(0).friendly_name.size(), msn::wire::kMaxFriendlyNameChars);
  auto mail = soap::parse_oim_mail("From: \"" + long_name + "\" <bob@example.com>\n\nhi");
  assert_true(mail.is_ok());
  assert_bytes_equal(mail->sender, "bob@example.com");
  assert_int_equal(mail->friendly_name.size(), msn::wire::kMaxFriendlyNameChars);
}

void test_mail_data_notification(void** /*state*/) {
  const std::string payload =
      "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinitialmdatanotification; charset=UTF-8\r\n\r\n"
      "Mail-Data: " + kMailData + "\r\nInbox-URL: /cgi-bin/HoTMaiL\r\nFolders-URL: /cgi-bin/folders\r\n"
      "Post-URL: http://www.hotmail.com\r\n\r\n";
  auto data = soap::parse_mail_data_notification(payload);
  assert_true(data.is_ok());
  assert_int_equal(data->messages.size(), 2);
  auto missing = soap::parse_mail_data_notification("Content-Type: text/x-msmsgsoimnotification\r\n\r\nX: y\r\n");
  assert_false(missing.is_ok());
  assert_int_equal(missing.error().code, Errc::kProtocol);
}

void test_rsi_requests(void** /*state*/) {
  const auto cookie = soap::passport_cookie("t=T0k&n+/=&p=P<1>");
  assert_bytes_equal(cookie.t, "T0k&n+/=");
  assert_bytes_equal(cookie.p, "P<1>");
  assert_bytes_equal(soap::passport_cookie("t=only").t, "only");
  assert_true(soap::passport_cookie("t=only").p.empty());

  const std::string get = soap::build_get_message_request(cookie, "0B0F2C5A-1D2E-4F3A-9B8C-7D6E5F4A3B2C");
  auto doc = soap::XmlDocument::parse(get);
  assert_true(doc.is_ok());
  assert_bytes_equal(soap::text(soap::path(doc->root(), {"Header", "PassportCookie", "t"})), "T0k&n+/=");
  assert_bytes_equal(soap::text(soap::path(doc->root(), {"Header", "PassportCookie", "p"})), "P<1>");
  assert_true(get.find("<GetMessage xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\"><messageId>"
                       "0B0F2C5A-1D2E-4F3A-9B8C-7D6E5F4A3B2C</messageId><alsoMarkAsRead>false</alsoMarkAsRead>"
                       "</GetMessage>") != std::string::npos);

  const std::string del = soap::build_delete_messages_request(cookie, {"0B0F2C5A-1D2E-4F3A-9B8C-7D6E5F4A3B2C", "a<b"});
  assert_true(del.find("<DeleteMessages xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\"><messageIds>"
                       "<messageId>0B0F2C5A-1D2E-4F3A-9B8C-7D6E5F4A3B2C</messageId><messageId>a&lt;b</messageId>"
                       "</messageIds></DeleteMessages>") != std::string::npos);
  assert_true(soap::XmlDocument::parse(del).is_ok());

  const std::string meta = soap::build_get_metadata_request(cookie);
  assert_true(meta.find("<GetMetadata xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\" />") != std::string::npos);
  auto meta_answer = soap::parse_get_metadata_response(envelope("<GetMetadataResponse>" + kMailData + "</GetMetadataResponse>"));
  assert_true(meta_answer.is_ok());
  assert_int_equal(meta_answer->messages.size(), 2);
  assert_false(soap::parse_get_metadata_response(envelope("<GetMetadataResponse/>")).is_ok());
  // The shape for a revival server that needs a child element.
  const std::string with_child = soap::build_get_metadata_request(cookie, true);
  assert_true(
      with_child.find("<GetMetadata xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\"><MD />"
                      "</GetMetadata>") != std::string::npos);
  assert_true(soap::XmlDocument::parse(with_child).is_ok());
  // Mail-Data as escaped text: the whole <MD>, or only its inside within <MD>.
  std::string escaped;
  for (char c : kMailData)
    escaped += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  auto as_text = soap::parse_get_metadata_response(
      envelope("<GetMetadataResponse>" + escaped + "</GetMetadataResponse>"));
  assert_true(as_text.is_ok());
  assert_int_equal(as_text->messages.size(), 2);
  const std::size_t from = escaped.find("&lt;M>");
  const std::string inner = escaped.substr(from, escaped.rfind("&lt;/MD>") - from);
  auto inside_md = soap::parse_get_metadata_response(
      envelope("<GetMetadataResponse><MD>" + inner + "</MD></GetMetadataResponse>"));
  assert_true(inside_md.is_ok());
  assert_int_equal(inside_md->messages.size(), 2);
  assert_bytes_equal(inside_md->messages[0].message_id, meta_answer->messages[0].message_id);
  assert_false(soap::parse_get_metadata_response(
                   envelope("<GetMetadataResponse>&lt;MD&gt;&lt;M</GetMetadataResponse>"))
                   .is_ok());
  assert_true(soap::parse_get_metadata_response(
                  envelope("<GetMetadataResponse><MD /></GetMetadataResponse>"))
                  .is_ok());
}

void test_get_message(void** /*state*/) {
  std::string escaped;
  for (char c : kMail) escaped += c == '<' ? std::string("&lt;") : c == '>' ? std::string("&gt;") : std::string(1, c);
  auto message = soap::parse_get_message_response(
      envelope("<GetMessageResponse xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\"><GetMessageResult>" +
               escaped + "</GetMessageResult></GetMessageResponse>"));
  assert_true(message.is_ok());
  assert_bytes_equal(message->text, "See you tomorrow!");
  assert_bytes_equal(message->sender, "bob@example.com");
  assert_bytes_equal(message->friendly_name, "Bob");
  assert_bytes_equal(message->date, "01 Jun 2008 04:00:00 -0800");
  assert_true(message->time == kJune1Noon);
  assert_true(message->sequence == 1u);
  assert_bytes_equal(message->run_id, "{6E1A0C3B-2D4F-4A5B-8C9D-0E1F2A3B4C5D}");
  assert_false(message->from_phone);

  auto fault = soap::parse_get_message_response(
      envelope("<soap:Fault><faultcode>q0:AuthenticationFailed</faultcode></soap:Fault>"));
  assert_false(fault.is_ok());
  assert_true(fault.error().detail.find("AuthenticationFailed") != std::string::npos);
  assert_false(soap::parse_get_message_response(envelope("<GetMessageResponse/>")).is_ok());
}

void test_mail_encodings(void** /*state*/) {
  const struct {
    std::string mail;
    const char* text;
  } cases[] = {
      // CRLF lines, quoted-printable, ISO-8859-1.
      {"From: \"Caf\xE9\" <c@example.net>\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n"
       "Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 soft=\r\nbreak",
       "Caf\xC3\xA9 softbreak"},
      // Wrapped base64 with stray characters, UTF-8.
      {"From: a@example.com\nContent-Transfer-Encoding: BASE64\n\nw6kg4oKs\nIPCfmIA=\n", "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"From: a@example.com\nContent-Transfer-Encoding: base64\n\n!!w6k*g\n", "\xC3\xA9 "},
      // 8bit, no charset, invalid UTF-8: windows-1252.
      {"From: a@example.com\nContent-Type: text/plain\n\nna\xEFve", "na\xC3\xAFve"},
      // Multipart with a folded Content-Type: the text/plain part.
      {"From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/alternative;\n boundary=\"=_b1\"\n\n"
       "preamble\n--=_b1\nContent-Type: text/html\n\n<b>html</b>\n--=_b1\nContent-Type: text/plain; charset=UTF-8\n"
       "Content-Transfer-Encoding: base64\n\nUGxhaW4gcGFydA==\n--=_b1--\n",
       "Plain part"},
      // Multipart without a text part, or without a boundary: no text, no crash.
      {"From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: image/png\n\n\x89PNG\n--x--",
       ""},
      {"From: a@example.com\nContent-Type: multipart/mixed\n\nbody", ""},
  };
  for (const auto& c : cases) {
    auto message = soap::parse_oim_mail(c.mail);
    assert_true(message.is_ok());
    assert_bytes_equal(message->text, c.text);
  }
  auto first = soap::parse_oim_mail(cases[0].mail);
  assert_bytes_equal(first->friendly_name, "Caf\xC3\xA9");
  assert_bytes_equal(first->sender, "c@example.net");

  auto phone = soap::parse_oim_mail("From: +15550100 <tel:+15550100>\nX-OIM-originatingSource: tel:+15550100\n\nhi");
  assert_true(phone->from_phone);

  auto no_sender = soap::parse_oim_mail("To: alice@example.com\n\nhi");
  assert_false(no_sender.is_ok());
  assert_int_equal(no_sender.error().code, Errc::kProtocol);
  auto huge = soap::parse_oim_mail(std::string(soap::kMaxOimMailBytes + 1, 'a'));
  assert_int_equal(huge.error().code, Errc::kLimit);
}

void test_rfc2047(void** /*state*/) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"=?utf-8?B?Qm9i?=", "Bob"},
      {"=?UTF-8?Q?J=C3=BCrgen_M?=", "J\xC3\xBCrgen M"},
      {"=?utf-8?B?Qm9i?= =?utf-8?B?IEJvYg==?=", "Bob Bob"},  // blanks between words dropped
      {"Mr =?utf-8?B?Qm9i?= Smith", "Mr Bob Smith"},
      {"=?windows-1252?Q?=93hi=94?=", "\xE2\x80\x9Chi\xE2\x80\x9D"},
      {"=?utf-8*en?B?Qm9i?=", "Bob"},
      {"=?utf-8?X?Qm9i?=", "=?utf-8?X?Qm9i?="},
      {"=?utf-8?B?Qm9i", "=?utf-8?B?Qm9i"},
      {"=?utf-8?B?Qm 9i?=", "=?utf-8?B?Qm 9i?="},
      {"=?utf-8?B?/w==?=", "\xEF\xBF\xBD"},
      {"plain \xFF", "plain \xC3\xBF"},  // raw 8-bit: windows-1252
      {"", ""},
      {"=?a?q?b c?= =?utf-8?B?Qm9i?=", "=?a?q?b c?= Bob"},  // a blank ends a word's candidacy
      {"=?x?q?a =?utf-8?Q?Hi?= =?utf-8?Q?Yo?=", "=?x?q?a HiYo"},
  };
  for (const auto& c : cases) assert_bytes_equal(soap::rfc2047_decode(c.in), c.out);
}

// A name made of "=?" (or of word starts that never end) decodes in one pass: each "=?" must
// not scan the rest of the text again. Before, a megabyte of this took minutes.
void test_rfc2047_linear(void** /*state*/) {
  std::string text;
  while (text.size() < 1024 * 1024) text += "=?";
  assert_bytes_equal(soap::rfc2047_decode(text), text);
  text.clear();
  while (text.size() < 1024 * 1024) text += "=?a?q?a";  // starts, never an end
  text += " ?=";
  assert_bytes_equal(soap::rfc2047_decode(text), text);
}

void test_dates(void** /*state*/) {
  const struct {
    const char* text;
    std::int64_t expected;  // -1: unreadable
  } cases[] = {
      {"01 Jun 2008 04:00:00 -0800", kJune1Noon},
      {"Sun, 01 Jun 2008 04:00:00 -0800", kJune1Noon},
      {"Sun, 1 Jun 2008 12:00:00 GMT", kJune1Noon},
      {"1 jun 08 13:30 +0130", kJune1Noon},
      {"01 Jun 2008 12:00:00", kJune1Noon},
      {"29 Feb 2008 00:00:00 +0000", 1204243200},
      {"01 Jan 1970 00:00:00 +0000", 0},
      {"32 Jun 2008 00:00:00 +0000", -1},
      {"01 Foo 2008 00:00:00 +0000", -1},
      {"01 Jun 2008 25:00:00 +0000", -1},
      {"01 Jun 2008", -1},
      {"", -1},
  };
  for (const auto& c : cases) {
    const auto t = soap::parse_rfc2822_date(c.text);
    if (c.expected < 0) {
      assert_false(t.has_value());
    } else {
      assert_true(t.has_value());
      assert_int_equal(*t, c.expected);
    }
  }
  assert_int_equal(soap::parse_iso8601("2008-06-01T12:00:00Z").value(), kJune1Noon);
  assert_int_equal(soap::parse_iso8601("2008-06-01T14:00:00.5+02:00").value(), kJune1Noon);
  assert_false(soap::parse_iso8601("2008-06-01").has_value());
  assert_false(soap::parse_iso8601("2008-06-01T12:00:00junk").has_value());
}

void test_ordering(void** /*state*/) {
  std::vector<soap::OfflineMessage> messages(5);
  messages[0].text = "third";
  messages[0].time = kJune1Noon + 60;
  messages[0].sequence = 3;
  messages[1].text = "second";
  messages[1].time = kJune1Noon;
  messages[1].sequence = 2;
  messages[2].text = "undated";
  messages[3].text = "first";
  messages[3].time = kJune1Noon;
  messages[3].sequence = 1;
  messages[4].text = "earliest, other sender";
  messages[4].time = kJune1Noon - 10;
  soap::sort_offline_messages(messages);
  const char* order[] = {"earliest, other sender", "first", "second", "third", "undated"};
  for (std::size_t i = 0; i < 5; ++i) assert_bytes_equal(messages[i].text, order[i]);
}

void test_run_id(void** /*state*/) {
  const std::string bytes = "\x3A\x3B\xE8\x2F\x1A\x3C\x4E\x8B\x9B\x1B\x4F\x0D\x2E\x1B\x2C\x3D";
  assert_bytes_equal(soap::make_run_id(bytes), "{3A3BE82F-1A3C-4E8B-9B1B-4F0D2E1B2C3D}");
  assert_int_equal(soap::make_run_id("").size(), 38);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_content_matches_vector),
      cmocka_unit_test(test_friendly_name_vector),
      cmocka_unit_test(test_lock_key_vectors),
      cmocka_unit_test(test_store_request),
      cmocka_unit_test(test_store_answers),
      cmocka_unit_test(test_lock_key_handshake),
      cmocka_unit_test(test_mail_data),
      cmocka_unit_test(test_oim_names_bounded),
      cmocka_unit_test(test_mail_data_notification),
      cmocka_unit_test(test_rsi_requests),
      cmocka_unit_test(test_get_message),
      cmocka_unit_test(test_mail_encodings),
      cmocka_unit_test(test_rfc2047),
      cmocka_unit_test(test_rfc2047_linear),
      cmocka_unit_test(test_dates),
      cmocka_unit_test(test_ordering),
      cmocka_unit_test(test_run_id),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
