// SPDX-License-Identifier: GPL-2.0-or-later
// Sign-in cost of the contact list: generates FindMembership and ABFindAll responses of 100,
// 1,000 and 5,000 contacts (tests/unit/contacts/book_generator.h) and prints the CPU time of
// parsing both, merging them into a ContactList and building the initial ADL payloads, plus
// the peak RSS of the process. Not a test: run by hand on an optimised, unsanitised build.
//   contacts_bench [repetitions]
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
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

}  // namespace

int main(int argc, char** argv) {
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
  return 0;
}
