// User input echoed inside one-line error messages: control bytes and newlines escaped, long
// input cut, so that an error stays one readable line whatever the input held. And text made
// one CSV field.
#pragma once

#include <string>
#include <string_view>

namespace arithsim::io {

// `s` with every byte < 0x20, 0x7f and backslash written as an escape (\n, \t, \xNN, \\),
// cut to `max_chars` (then "...") so an error quoting a whole file's line stays short.
std::string escape(std::string_view s, size_t max_chars = 120);

// A whole message made one line: control bytes escaped as in escape() but backslashes kept (the
// parts already escaped stay as they are), cut to `max_chars`. For the last step of an error.
std::string one_line(std::string_view message, size_t max_chars = 1000);

// `s` as one CSV field (RFC 4180): as it is, or double-quoted with quotes doubled when it holds
// a comma, a quote or a newline.
std::string csv_field(std::string_view s);

}  // namespace arithsim::io
