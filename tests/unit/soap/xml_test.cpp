// SPDX-License-Identifier: GPL-2.0-or-later
// Safe parsing and namespace-blind navigation (soap/xml.h).
#include "soap/xml.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>  // every std header before cmocka_cpp.h: cmocka's fail() macro breaks them
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cmocka_cpp.h"

namespace {

using msn::Errc;
using msn::Result;
namespace soap = msn::soap;

struct Fixture {
  std::string text;
  std::vector<std::string> inputs;
  std::vector<xmlNode*> nodes;
  std::optional<Result<soap::XmlDocument>> doc;
};

constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;
Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

constexpr const char* kSample =
    "<?xml version=\"1.0\"?>\n"
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:q=\"urn:q\">\n"
    "  <soap:Body>\n"
    "    <q:List q:kind=\"a&amp;b\" plain=\"&lt;x&gt;\">\n"
    "      <q:Item>one</q:Item>\n"
    "      <Item xmlns=\"urn:other\">t&amp;w<![CDATA[<o>]]></Item>\n"
    "      <q:Other><q:Item>nested</q:Item></q:Other>\n"
    "    </q:List>\n"
    "    <q:After><q:Item>outside</q:Item></q:After>\n"
    "  </soap:Body>\n"
    "</soap:Envelope>\n";

xmlNode* parse_ok(Fixture& f, std::string_view text) {
  f.doc = soap::XmlDocument::parse(text);
  if (!f.doc->is_ok()) {
    print_error("parse failed: %s\n", f.doc->error().detail.c_str());
    fail();
  }
  return f.doc->value().root();
}

void expect_error(Fixture& f, Errc code) {
  assert_false(f.doc->is_ok());
  assert_int_equal(static_cast<int>(f.doc->error().code), static_cast<int>(code));
}

void test_navigation_ignores_prefixes(void** state) {
  Fixture& f = fx(state);
  xmlNode* root = parse_ok(f, kSample);
  assert_true(soap::is_named(root, "Envelope"));
  assert_false(soap::is_named(root, "soap:Envelope"));
  assert_false(soap::is_named(nullptr, "Envelope"));
  xmlNode* list = soap::path(root, {"Body", "List"});
  assert_non_null(list);
  assert_null(soap::path(root, {"Body", "Missing", "List"}));
  assert_true(soap::path(root, {}) == root);

  f.nodes = soap::children(list, "Item");
  assert_int_equal(f.nodes.size(), 2);  // direct children only, any namespace
  f.text = soap::text(f.nodes[0]);
  assert_bytes_equal(f.text, "one");
  f.text = soap::text(f.nodes[1]);
  assert_bytes_equal(f.text, "t&w<o>");  // entities decoded, CDATA included
  f.text = soap::text(soap::child(list, "Item"));
  assert_bytes_equal(f.text, "one");
  assert_null(soap::child(list, "Nope"));
  assert_null(soap::child(nullptr, "Item"));
  assert_true(soap::children(nullptr, "Item").empty());
}

void test_attributes(void** state) {
  Fixture& f = fx(state);
  xmlNode* list = soap::path(parse_ok(f, kSample), {"Body", "List"});
  f.text = soap::attribute(list, "kind");
  assert_bytes_equal(f.text, "a&b");
  f.text = soap::attribute(list, "plain");
  assert_bytes_equal(f.text, "<x>");
  f.text = soap::attribute(list, "missing");
  assert_bytes_equal(f.text, "");
  f.text = soap::attribute(nullptr, "kind");
  assert_bytes_equal(f.text, "");
}

void test_find_descendant_stays_in_subtree(void** state) {
  Fixture& f = fx(state);
  xmlNode* root = parse_ok(f, kSample);
  xmlNode* list = soap::path(root, {"Body", "List"});
  assert_true(soap::find_descendant(list, "List") == list);  // `from` itself counts
  f.text = soap::text(soap::find_descendant(list, "Item"));
  assert_bytes_equal(f.text, "one");  // depth first, document order
  xmlNode* other = soap::child(list, "Other");
  f.text = soap::text(soap::find_descendant(other, "Item"));
  assert_bytes_equal(f.text, "nested");
  xmlNode* one = soap::child(list, "Item");
  assert_null(soap::find_descendant(one, "Other"));  // never walks to siblings
  assert_null(soap::find_descendant(other, "After"));
  assert_non_null(soap::find_descendant(root, "After"));
  assert_null(soap::find_descendant(nullptr, "Item"));
  f.text = soap::text(nullptr);
  assert_bytes_equal(f.text, "");
}

void test_rejects_dtds_and_malformed_input(void** state) {
  Fixture& f = fx(state);
  f.inputs = {
      "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
      "<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>",
      "<!DOCTYPE a PUBLIC \"-//x//y\" \"http://192.0.2.1/a.dtd\"><a/>",
      "<!DOCTYPE a><a/>",
      "<a>&e;</a>",
      "<a><b></a>",
      "<a/><b/>",
      "plain text",
      "<?xml version=\"1.0\"?>",
      "<a>\x01</a>",
      "<?xml version=\"1.0\" encoding=\"no-such-encoding\"?><a/>",
      "",
  };
  for (const std::string& input : f.inputs) {
    f.doc = soap::XmlDocument::parse(input);
    expect_error(f, Errc::kSoap);
    assert_false(f.doc->error().detail.empty());
  }
  // Far deeper than any SOAP document: refused by libxml2's depth limit, without recursion
  // trouble on our side.
  f.text.clear();
  for (int i = 0; i < 5000; ++i) f.text += "<a>";
  for (int i = 0; i < 5000; ++i) f.text += "</a>";
  f.doc = soap::XmlDocument::parse(f.text);
  expect_error(f, Errc::kSoap);
}

void test_size_limit(void** state) {
  Fixture& f = fx(state);
  f.doc = soap::XmlDocument::parse("<a>01234</a>", soap::XmlLimits{.max_bytes = 11});
  expect_error(f, Errc::kLimit);
  f.doc = soap::XmlDocument::parse("<a>0123</a>", soap::XmlLimits{.max_bytes = 11});  // 11 bytes
  assert_true(f.doc->is_ok());
}

// libxml2 must not print to stderr (the plugin's debug log is the only place for details).
void test_errors_are_not_printed(void** state) {
  Fixture& f = fx(state);
  char path[] = "/tmp/xml_test_stderr_XXXXXX";
  const int capture = mkstemp(path);
  assert_true(capture >= 0);
  unlink(path);
  fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  dup2(capture, STDERR_FILENO);
  f.doc = soap::XmlDocument::parse("<a><b></a>");
  f.doc = soap::XmlDocument::parse("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>");
  f.doc = soap::XmlDocument::parse("<a>&undefined;</a>");
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  struct stat st {};
  fstat(capture, &st);
  close(capture);
  assert_int_equal(st.st_size, 0);
}

void test_escape(void** state) {
  Fixture& f = fx(state);
  f.text = soap::escape("a&b<c>d\"e'f");
  assert_bytes_equal(f.text, "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  f.text = soap::escape("");
  assert_bytes_equal(f.text, "");
  f.text = soap::escape("\xc3\xa9 plain");
  assert_bytes_equal(f.text, "\xc3\xa9 plain");
  // Round trip through the parser, in text and in an attribute.
  f.text = "<r a=\"" + soap::escape("<&\"'>") + "\">" + soap::escape("<&\"'>") + "</r>";
  xmlNode* root = parse_ok(f, f.text);
  f.text = soap::text(root);
  assert_bytes_equal(f.text, "<&\"'>");
  f.text = soap::attribute(root, "a");
  assert_bytes_equal(f.text, "<&\"'>");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_navigation_ignores_prefixes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_attributes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_find_descendant_stays_in_subtree, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rejects_dtds_and_malformed_input, setup, teardown),
      cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors_are_not_printed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_escape, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
