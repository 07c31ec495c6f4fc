// Result<T>: a value or a Diagnostic that says what is wrong, where and by
// which rule. Every parser in omaiop returns one; nothing throws across a layer
// boundary (abseil StatusOr style). std::expected is C++23, so this is our own
// small type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace omaiop::codec {

struct Diagnostic {
  static constexpr std::size_t kNoOffset = SIZE_MAX;

  std::string what;                // what is wrong, and what was expected
  std::size_t offset = kNoOffset;  // byte offset in the input, if byte-based
  std::string rule;                // spec clause, e.g. "WBXML 1.3 §5.8.4.1"
  std::string path;                // element/tree path, if structure-based

  bool has_offset() const { return offset != kNoOffset; }
  // "offset 12 (0x0c): truncated uintvar [WAP-230-WSP §8.1.2]"
  std::string ToString() const;
};

// Builds a Diagnostic; the common case of byte-based parsers.
Diagnostic Error(std::string what, std::size_t offset, std::string rule);
// A structure-based diagnostic (XML element path instead of a byte offset).
Diagnostic PathError(std::string what, std::string path, std::string rule);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Diagnostic d) : v_(std::in_place_index<1>, std::move(d)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Diagnostic& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Diagnostic> v_;
};

// Result of an operation with no value.
using Status = Result<std::monostate>;
inline Status OkStatus() { return std::monostate{}; }

}  // namespace omaiop::codec

#define OMAIOP_CONCAT_INNER_(a, b) a##b
#define OMAIOP_CONCAT_(a, b) OMAIOP_CONCAT_INNER_(a, b)

// OMAIOP_ASSIGN_OR_RETURN(auto x, Parse(...));  propagates the Diagnostic.
#define OMAIOP_ASSIGN_OR_RETURN(lhs, expr)              \
  auto OMAIOP_CONCAT_(omaiop_r_, __LINE__) = (expr);    \
  if (!OMAIOP_CONCAT_(omaiop_r_, __LINE__).ok())        \
    return OMAIOP_CONCAT_(omaiop_r_, __LINE__).error(); \
  lhs = std::move(OMAIOP_CONCAT_(omaiop_r_, __LINE__)).value()

// OMAIOP_RETURN_IF_ERROR(status_or_result);
#define OMAIOP_RETURN_IF_ERROR(expr)               \
  do {                                             \
    auto omaiop_s_ = (expr);                       \
    if (!omaiop_s_.ok()) return omaiop_s_.error(); \
  } while (0)
