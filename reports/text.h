// Text helpers shared by the report writers (internal to reports/).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace omaiop::reports::internal {

// Valid UTF-8 with every character XML 1.0 allows (§2.2): invalid sequences
// and C0 controls other than tab/LF/CR become U+FFFD. Report text comes from
// IUTs and hostile inputs; XML and HTML writers must never emit what a reader
// rejects.
std::string CleanText(std::string_view s);

// CleanText, then & < > " ' as character references: safe in HTML/SVG text
// and in double- or single-quoted attribute values.
std::string HtmlEscape(std::string_view s);

// A file-name-safe form of a case ID: [A-Za-z0-9._-] kept, others '_'; never
// empty, never "." or "..".
std::string SafeFileName(std::string_view s);

// The testsuite a case belongs to: its ID up to the second '-'
// ("CP-BOOT-SEC-003" -> "CP-BOOT"), the whole ID if it has fewer parts.
std::string AreaOf(std::string_view id);

// SHA-256 of `s`, base64 (for Content-Security-Policy hash sources).
std::string Sha256Base64(std::string_view s);

// Seconds with millisecond precision, as JUnit wants ("1.234").
std::string Seconds(std::uint64_t us);

}  // namespace omaiop::reports::internal
