#include "sim/network/url.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace omaiop::sim::network {
namespace {

TEST(UrlTest, ParsesHttpWithDefaults) {
  auto u = ParseUrl("http://Example.COM");
  ASSERT_TRUE(u.ok()) << u.error().ToString();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 80);
  EXPECT_FALSE(u->port_explicit);
  EXPECT_EQ(u->target, "/");
  EXPECT_FALSE(u->tls());
  EXPECT_FALSE(u->host_is_ip());
  EXPECT_EQ(u->HostHeader(), "example.com");
}

TEST(UrlTest, ParsesHttpsPortPathQueryAndDropsFragment) {
  auto u = ParseUrl("HTTPS://dm.example.org:8443/dm/sync?sid=1&x=%2F#frag");
  ASSERT_TRUE(u.ok()) << u.error().ToString();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_TRUE(u->tls());
  EXPECT_EQ(u->port, 8443);
  EXPECT_TRUE(u->port_explicit);
  EXPECT_EQ(u->target, "/dm/sync?sid=1&x=%2F");
  EXPECT_EQ(u->HostHeader(), "dm.example.org:8443");
  EXPECT_EQ(u->Origin(), "https://dm.example.org:8443");
}

TEST(UrlTest, HttpsDefaultPortIs443AndHostHeaderOmitsIt) {
  auto u = ParseUrl("https://a.b:443?q");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->HostHeader(), "a.b");
  EXPECT_EQ(u->target, "/?q");
}

TEST(UrlTest, Ipv4AndIpv6Literals) {
  auto v4 = ParseUrl("http://127.0.0.1:8080/x");
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(v4->host_is_ip());
  EXPECT_FALSE(v4->ipv6_literal);
  auto v6 = ParseUrl("https://[2001:DB8::1]:4443/p");
  ASSERT_TRUE(v6.ok()) << v6.error().ToString();
  EXPECT_EQ(v6->host, "2001:db8::1");
  EXPECT_TRUE(v6->ipv6_literal);
  EXPECT_TRUE(v6->host_is_ip());
  EXPECT_EQ(v6->port, 4443);
  EXPECT_EQ(v6->HostHeader(), "[2001:db8::1]:4443");
  EXPECT_EQ(v6->ToString(), "https://[2001:db8::1]:4443/p");
  auto v6d = ParseUrl("http://[::1]/");
  ASSERT_TRUE(v6d.ok());
  EXPECT_EQ(v6d->port, 80);
  EXPECT_EQ(v6d->HostHeader(), "[::1]");
}

TEST(UrlTest, UserinfoIsKeptButNotSerialised) {
  auto u = ParseUrl("http://user:pa%20ss@h/");
  ASSERT_TRUE(u.ok()) << u.error().ToString();
  EXPECT_EQ(u->userinfo, "user:pa%20ss");
  EXPECT_EQ(u->host, "h");
  EXPECT_EQ(u->ToString(), "http://h/");
}

TEST(UrlTest, EmptyPortMeansDefault) {
  auto u = ParseUrl("http://h:/a");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
  EXPECT_FALSE(u->port_explicit);
}

TEST(UrlTest, RoundTripsThroughToString) {
  for (const char* s :
       {"http://h", "https://h:1/a/b?c=d", "http://[::ffff:1.2.3.4]:99/?",
        "http://h:80/", "https://x.y/%41%42"}) {
    auto u = ParseUrl(s);
    ASSERT_TRUE(u.ok()) << s;
    auto again = ParseUrl(u->ToString());
    ASSERT_TRUE(again.ok()) << u->ToString();
    EXPECT_EQ(*again, *u) << s;
  }
}

struct Bad {
  std::string text;
  std::size_t offset;
  std::string fragment;  // expected in the message
};

// Short printable test names (the inputs hold control bytes).
void PrintTo(const Bad& b, std::ostream* os) {
  *os << "offset " << b.offset << ", " << b.fragment;
}

class UrlRejectTest : public ::testing::TestWithParam<Bad> {};

TEST_P(UrlRejectTest, RejectsWithOffsetAndReason) {
  const Bad& b = GetParam();
  auto u = ParseUrl(b.text);
  ASSERT_FALSE(u.ok()) << b.text;
  EXPECT_EQ(u.error().offset, b.offset) << u.error().ToString();
  EXPECT_NE(u.error().what.find(b.fragment), std::string::npos)
      << u.error().ToString();
  EXPECT_FALSE(u.error().rule.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Hostile, UrlRejectTest,
    ::testing::Values(
        Bad{"", 0, "empty"}, Bad{"ftp://h/", 0, "unsupported scheme"},
        Bad{"javascript:alert(1)", 0, "unsupported scheme"},
        Bad{"//h/x", 0, "missing scheme"}, Bad{"http:/h", 5, "//"},
        Bad{"1http://h", 0, "bad scheme"}, Bad{"http://", 7, "empty host"},
        Bad{"http://:80/", 7, "empty host"},
        Bad{"http://h:0/", 9, "out of range"},
        Bad{"http://h:65536/", 9, "out of range"},
        Bad{"http://h:123456/", 9, "too long"},
        Bad{"http://h:8o/", 10, "digits"}, Bad{"http://h:-1/", 9, "digits"},
        Bad{"http://a b/", 8, "percent-encoded"},
        Bad{"http://h/a\r\nHost: evil", 10, "percent-encoded"},
        Bad{std::string("http://h/\0x", 11), 9, "percent-encoded"},
        Bad{"http://h/\xc3\xa9", 9, "non-ASCII"},
        Bad{"http://h/%zz", 9, "percent-encoding"},
        Bad{"http://h/%4", 9, "percent-encoding"},
        Bad{"http://h/%", 9, "percent-encoding"},
        Bad{"http://h/a<b", 10, "not allowed in path"},
        Bad{"http://h/?a\"b", 11, "not allowed in query"},
        Bad{"http://h/#a#b", 11, "not allowed in fragment"},
        Bad{"http://[::1/", 7, "unterminated"},
        Bad{"http://[::1]x/", 12, "after ']'"},
        Bad{"http://[fe80::1%25eth0]/", 15, "zone"},
        Bad{"http://[v1.x]/", 8, "invalid IPv6"},
        Bad{"http://[1:2:3:4:5:6:7:8:9]/", 8, "invalid IPv6"},
        Bad{"http://a@b@c/", 10, "more than one '@'"},
        Bad{"http://a%2fb/", 8, "host name"},
        Bad{"http://h;x/", 8, "host name"}, Bad{"http://u[@h/", 8, "userinfo"},
        Bad{"http://" + std::string(256, 'a') + "/", 262, "longer than 255"},
        Bad{"http://h/" + std::string(kMaxUrlLength, 'a'), kMaxUrlLength,
            "longer than"}));

}  // namespace
}  // namespace omaiop::sim::network
