// SPDX-License-Identifier: GPL-2.0-or-later
// The streaming reader (soap/envelope.h): element marks, text left out for the elements a
// handler does not read (still checked, still counted against the text limit), on_end left out
// when a handler does not want it, and NameIds / NameCache.
#include "soap/envelope.h"

#include <string>
#include <string_view>
#include <vector>  // every std header before cmocka_cpp.h: cmocka's fail() macro breaks them

#include "cmocka_cpp.h"

namespace {

using msn::Errc;
using msn::Status;
namespace soap = msn::soap;

// Marks each element with its depth; keeps the text of <keep> elements only and skips on_end
// for <quiet> elements. Records every on_end as "name=text".
class RecordingHandler final : public soap::XmlStreamHandler {
 public:
  Status on_start(const soap::ElementPath& path, const soap::XmlAttributes& /*attrs*/) override {
    const std::string_view name = path.name();
    mark_element(static_cast<int>(path.depth()), name == "keep", name != "quiet");
    starts.emplace_back(name);
    return Status::ok();
  }
  Status on_end(const soap::ElementPath& path, std::string_view text) override {
    ends.push_back(std::string(path.name()) + "=" + std::string(text));
    // The marks given at the start are there at the end, for the element and its parents.
    if (path.mark() != static_cast<int>(path.depth()) ||
        (path.depth() > 1 && path.mark(1) != static_cast<int>(path.depth()) - 1) ||
        path.mark(path.depth()) != 0)
      marks_ok = false;
    return Status::ok();
  }

  std::vector<std::string> starts;
  std::vector<std::string> ends;
  bool marks_ok = true;
};

// No mark_element call: every element keeps its text and gets its on_end (the handlers that
// predate marks).
class PlainHandler final : public soap::XmlStreamHandler {
 public:
  Status on_start(const soap::ElementPath& /*path*/,
                  const soap::XmlAttributes& /*attrs*/) override {
    return Status::ok();
  }
  Status on_end(const soap::ElementPath& path, std::string_view text) override {
    ends.push_back(std::string(path.name()) + "=" + std::string(text) + "/" +
                   std::to_string(path.mark()));
    return Status::ok();
  }
  std::vector<std::string> ends;
};

Status parse_in_pieces(std::string_view xml, soap::XmlStreamHandler& handler,
                       const soap::ParseLimits& limits, std::size_t piece) {
  soap::XmlStreamFeed feed(handler, limits);
  for (std::size_t at = 0; at < xml.size(); at += piece) {
    const Status fed = feed.feed(xml.substr(at, piece));
    if (!fed.is_ok()) return fed;
  }
  return feed.finish();
}

void assert_code(const Status& status, Errc code) {
  assert_false(status.is_ok());
  assert_int_equal(static_cast<int>(status.error().code), static_cast<int>(code));
}

void test_text_kept_only_where_wanted(void** /*state*/) {
  constexpr std::string_view kDoc =
      "<root>r1<keep>k &amp; k<skip>s</skip>after</keep><skip>gone<keep>in</keep>tail</skip>"
      "<quiet>q</quiet></root>";
  for (const std::size_t piece : {std::size_t{3}, kDoc.size()}) {
    RecordingHandler handler;
    assert_true(parse_in_pieces(kDoc, handler, {}, piece).is_ok());
    // <keep> holds the text after its last child; <skip> and <root> none; <quiet> no on_end.
    const std::vector<std::string> expected = {"skip=", "keep=after", "keep=in", "skip=", "root="};
    assert_int_equal(handler.ends.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
      assert_string_equal(handler.ends[i].c_str(), expected[i].c_str());
    assert_int_equal(handler.starts.size(), 6);
    assert_true(handler.marks_ok);
  }
}

void test_unmarked_elements_keep_text(void** /*state*/) {
  PlainHandler handler;
  assert_true(soap::parse_xml_stream("<a>x<b>y</b>z</a>", handler).is_ok());
  assert_int_equal(handler.ends.size(), 2);
  assert_string_equal(handler.ends[0].c_str(), "b=y/0");
  assert_string_equal(handler.ends[1].c_str(), "a=z/0");
}

// Text nobody keeps still counts against the limit, in one piece or in many.
void test_unkept_text_still_limited(void** /*state*/) {
  const std::string doc = "<root><skip>" + std::string(40, 'x') + "</skip></root>";
  const soap::ParseLimits limits{.max_text_bytes = 16};
  for (const std::size_t piece : {std::size_t{5}, doc.size()}) {
    RecordingHandler handler;
    assert_code(parse_in_pieces(doc, handler, limits, piece), Errc::kLimit);
  }
  RecordingHandler whole;
  assert_code(soap::parse_xml_stream(doc, whole, limits), Errc::kLimit);
  // Within the limit, and the count starts again with each element.
  const std::string fits = "<root><skip>" + std::string(16, 'x') + "</skip><quiet>" +
                           std::string(16, 'y') + "</quiet></root>";
  RecordingHandler ok;
  assert_true(soap::parse_xml_stream(fits, ok, limits).is_ok());
}

// Malformed content is refused whether its text is kept or not.
void test_unkept_text_still_checked(void** /*state*/) {
  for (const std::string_view doc : {std::string_view("<root><skip>a &bogus; b</skip></root>"),
                                     std::string_view("<root><skip>a < b</skip></root>"),
                                     std::string_view("<root><quiet>\xC3\x28</quiet></root>"),
                                     std::string_view("<root><skip>x</skap></root>")}) {
    RecordingHandler handler;
    assert_code(parse_in_pieces(doc, handler, {}, 4), Errc::kSoap);
    RecordingHandler whole;
    assert_code(soap::parse_xml_stream(doc, whole), Errc::kSoap);
  }
}

void test_name_ids(void** /*state*/) {
  const soap::NameIds ids{"Member", "Members", "Name", "name", "a", "DynamicItemLastChanged"};
  assert_int_equal(ids.find("Member"), 1);
  assert_int_equal(ids.find("Members"), 2);
  assert_int_equal(ids.find("Name"), 3);
  assert_int_equal(ids.find("name"), 4);  // case matters, as in the documents
  assert_int_equal(ids.find("a"), 5);
  assert_int_equal(ids.find("DynamicItemLastChanged"), 6);
  assert_int_equal(ids.find("Membe"), 0);
  assert_int_equal(ids.find(""), 0);
  assert_int_equal(ids.find("NAME"), 0);
  // The cache answers as the table does, whether the name was seen at that address before.
  soap::NameCache cache(ids);
  const std::string member = "Member";
  const std::string other = "Other";
  for (int round = 0; round < 2; ++round) {
    assert_int_equal(cache.find(member), 1);
    assert_int_equal(cache.find(other), 0);
    assert_int_equal(cache.find(std::string_view(member).substr(0, 4)), 0);  // same address
  }
}

// A full table (kMaxNames names) still finds every name, and a search for a missing one ends.
void test_name_ids_full_table(void** /*state*/) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < soap::NameIds::kMaxNames; ++i) {
    std::string name = "n";
    name += std::to_string(i);
    names.push_back(std::move(name));
  }
  const soap::NameIds ids(std::vector<std::string_view>(names.begin(), names.end()));
  for (std::size_t i = 0; i < names.size(); ++i)
    assert_int_equal(ids.find(names[i]), static_cast<int>(i + 1));
  assert_int_equal(ids.find("n64"), 0);
  assert_int_equal(ids.find("zz"), 0);
}

}  // namespace

int main() {
  const CMUnitTest tests[] = {
      cmocka_unit_test(test_text_kept_only_where_wanted),
      cmocka_unit_test(test_unmarked_elements_keep_text),
      cmocka_unit_test(test_unkept_text_still_limited),
      cmocka_unit_test(test_unkept_text_still_checked),
      cmocka_unit_test(test_name_ids),
      cmocka_unit_test(test_name_ids_full_table),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
