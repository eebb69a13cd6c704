// SPDX-License-Identifier: GPL-2.0-or-later
// Sign-in cost of the contact list: generates FindMembership and ABFindAll responses of 100,
// 1,000 and 5,000 contacts (tests/unit/contacts/book_generator.h) and prints the CPU time of
// parsing both, merging them into a ContactList and building the initial ADL payloads, plus
// the peak RSS of the process. Then the sign-in's own path for documents shaped like the local
// server's (make_server_book, server_*_xml): FindMembershipParser and AbFindAllParser fed in
// 32 KiB pieces, as the session reads a body, with the CPU per document (median of the
// repetitions) and per contact. Not a test: run by hand on an optimised, unsanitised build.
//   contacts_bench [repetitions]
//   contacts_bench --stream-once N   parse the server-shaped documents of N contacts once, for
//                                    callgrind: --toggle-collect='*stream_parse_once*'
// (the session's piece size: http's body reader hands the parsers at most 32 KiB at a time)
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "book_generator.h"
#include "session/contact_list.h"
#include "soap/address_book.h"
#include "soap/membership.h"

namespace {

double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

struct Timing {
  double membership = 0, address_book = 0, merge = 0, adl = 0;
  double total() const { return membership + address_book + merge + adl; }
};

// One sign-in's worth of work; exits on any failure (a benchmark of a failing parse is moot).
Timing run_once(const std::string& membership_xml, const std::string& book_xml,
                std::size_t& payloads, std::size_t& contacts) {
  Timing t;
  double start = cpu_ms();
  auto membership = msn::soap::parse_find_membership(membership_xml);
  t.membership = cpu_ms() - start;
  start = cpu_ms();
  auto book = msn::soap::parse_ab_find_all(book_xml);
  t.address_book = cpu_ms() - start;
  if (!membership || !book) {
    std::fprintf(stderr, "parse failed: %s\n",
                 (!membership ? membership.error() : book.error()).detail.c_str());
    std::exit(1);
  }
  start = cpu_ms();
  msn::ContactList list;
  list.load(*membership, *book);
  t.merge = cpu_ms() - start;
  start = cpu_ms();
  const std::vector<std::string> adl = list.initial_adl();
  t.adl = cpu_ms() - start;
  payloads = adl.size();
  contacts = list.size();
  return t;
}

constexpr std::size_t kPieceBytes = 32 * 1024;

template <typename Parser>
auto stream_parse(const std::string& xml) {
  Parser parser;
  for (std::size_t at = 0; at < xml.size(); at += kPieceBytes) {
    const msn::Status fed =
        parser.feed(std::string_view(xml).substr(at, std::min(kPieceBytes, xml.size() - at)));
    if (!fed.is_ok()) {
      std::fprintf(stderr, "feed failed: %s\n", fed.error().detail.c_str());
      std::exit(1);
    }
  }
  auto result = parser.finish();
  if (!result) {
    std::fprintf(stderr, "parse failed: %s\n", result.error().detail.c_str());
    std::exit(1);
  }
  return std::move(*result);
}

struct Streamed {
  msn::soap::MembershipResult membership;
  msn::soap::AddressBookResult book;
};

// Kept out of line so that callgrind can count exactly the two parses (the results are freed
// by the caller, outside the count).
[[gnu::noinline]] void stream_parse_once(const std::string& membership_xml,
                                         const std::string& book_xml, Streamed& out) {
  out.membership = stream_parse<msn::soap::FindMembershipParser>(membership_xml);
  out.book = stream_parse<msn::soap::AbFindAllParser>(book_xml);
}

// Contacts holding any membership role (one Member each after the parser's merge).
std::size_t expected_members(const msn::test::GenBook& gen) {
  return static_cast<std::size_t>(
      std::count_if(gen.contacts.begin(), gen.contacts.end(), [](const msn::test::GenContact& c) {
        return c.on(msn::ListBits::kAllow | msn::ListBits::kBlock | msn::ListBits::kReverse);
      }));
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// The server-shaped documents through the streaming parsers, each timed on its own.
void bench_streaming(int repetitions) {
  std::printf("\nserver-shaped documents, streamed in %zu KiB pieces (median of %d)\n",
              kPieceBytes / 1024, repetitions);
  std::printf("%-7s %9s %9s | %10s %10s | %10s %10s\n", "book", "FM bytes", "AB bytes", "FM parse",
              "AB parse", "FM/contact", "AB/contact");
  for (const std::size_t n : {std::size_t{1000}, std::size_t{5000}}) {
    const msn::test::GenBook gen = msn::test::make_server_book(n);
    const std::string membership_xml = msn::test::server_find_membership_xml(gen);
    const std::string book_xml = msn::test::server_ab_find_all_xml(gen);
    std::vector<double> fm, ab;
    std::size_t members = 0, contacts = 0;
    for (int i = 0; i < repetitions; ++i) {
      double start = cpu_ms();
      members = stream_parse<msn::soap::FindMembershipParser>(membership_xml).members.size();
      fm.push_back(cpu_ms() - start);
      start = cpu_ms();
      contacts = stream_parse<msn::soap::AbFindAllParser>(book_xml).contacts.size();
      ab.push_back(cpu_ms() - start);
    }
    if (members != expected_members(gen) || contacts != n) {
      std::fprintf(stderr, "expected %zu members and %zu contacts, parsed %zu and %zu\n",
                   expected_members(gen), n, members, contacts);
      std::exit(1);
    }
    const double fm_ms = median(fm), ab_ms = median(ab);
    std::printf("%-7zu %9zu %9zu | %8.2fms %8.2fms | %8.2fus %8.2fus\n", n, membership_xml.size(),
                book_xml.size(), fm_ms, ab_ms, fm_ms * 1e3 / static_cast<double>(n),
                ab_ms * 1e3 / static_cast<double>(n));
  }
}

int stream_once(std::size_t n) {
  const msn::test::GenBook gen = msn::test::make_server_book(n);
  const std::string membership_xml = msn::test::server_find_membership_xml(gen);
  const std::string book_xml = msn::test::server_ab_find_all_xml(gen);
  Streamed parsed;
  stream_parse_once(membership_xml, book_xml, parsed);
  const std::size_t members = parsed.membership.members.size();
  const std::size_t contacts = parsed.book.contacts.size();
  std::printf("%zu members (%zu bytes), %zu contacts (%zu bytes)\n", members, membership_xml.size(),
              contacts, book_xml.size());
  return members == expected_members(gen) && contacts == n ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "--stream-once") == 0)
    return stream_once(static_cast<std::size_t>(std::max(1, std::atoi(argv[2]))));
  const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  std::printf("%-7s %9s %9s | %10s %10s %8s %8s %9s | %5s\n", "book", "FM bytes", "AB bytes",
              "FM parse", "AB parse", "merge", "ADL", "total", "ADLs");
  for (const std::size_t n : {std::size_t{100}, std::size_t{1000}, std::size_t{5000}}) {
    const msn::test::GenBook gen = msn::test::make_book(n);
    const std::string membership_xml = msn::test::find_membership_xml(gen, true);
    const std::string book_xml = msn::test::ab_find_all_xml(gen, true);
    std::vector<Timing> runs;
    std::size_t payloads = 0, contacts = 0;
    for (int i = 0; i < repetitions; ++i)
      runs.push_back(run_once(membership_xml, book_xml, payloads, contacts));
    // The median run by total: robust against a cold first pass and scheduler noise.
    std::sort(runs.begin(), runs.end(),
              [](const Timing& a, const Timing& b) { return a.total() < b.total(); });
    const Timing& t = runs[runs.size() / 2];
    std::printf("%-7zu %9zu %9zu | %8.2fms %8.2fms %6.2fms %6.2fms %7.2fms | %5zu\n", contacts,
                membership_xml.size(), book_xml.size(), t.membership, t.address_book, t.merge,
                t.adl, t.total(), payloads);
  }
  std::printf("peak RSS: %ld KiB (includes the generated documents)\n", peak_rss_kib());
  bench_streaming(repetitions);
  return 0;
}
