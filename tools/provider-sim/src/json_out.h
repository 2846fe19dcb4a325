// A streaming JSON writer for the simulator's hot path (pages of thousands of registrations).
// Building a nlohmann::json tree per registration spent ~75% of the time in malloc and tree
// copies (perf, 100k participants: 4.5 s); writing straight into one string does not allocate
// per value. Values and keys are UTF-8 and are escaped here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

class JsonOut {
 public:
  explicit JsonOut(std::string& out) : out_(out) {}

  JsonOut& beginObject() { return open('{'); }
  JsonOut& endObject() { return close('}'); }
  JsonOut& beginArray() { return open('['); }
  JsonOut& endArray() { return close(']'); }

  JsonOut& key(std::string_view k) {
    comma();
    quoted(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonOut& string(std::string_view v) {
    comma();
    quoted(v);
    return *this;
  }
  // An empty string is written as null.
  JsonOut& stringOrNull(std::string_view v) { return v.empty() ? null() : string(v); }
  JsonOut& number(long long v) {
    comma();
    out_ += std::to_string(v);
    return *this;
  }
  JsonOut& numberOrNull(long long v, bool present) { return present ? number(v) : null(); }
  JsonOut& decimal(double v) {
    comma();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    out_ += buf;
    return *this;
  }
  JsonOut& boolean(bool v) {
    comma();
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonOut& null() {
    comma();
    out_ += "null";
    return *this;
  }
  // Already-serialized JSON.
  JsonOut& raw(std::string_view json) {
    comma();
    out_ += json;
    return *this;
  }

 private:
  JsonOut& open(char c) {
    comma();
    out_ += c;
    first_.push_back(true);
    return *this;
  }
  JsonOut& close(char c) {
    out_ += c;
    first_.pop_back();
    return *this;
  }
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  void quoted(std::string_view s) {
    out_ += '"';
    for (unsigned char c : s) {
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out_ += buf;
          } else {
            out_ += static_cast<char>(c);
          }
      }
    }
    out_ += '"';
  }

  std::string& out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace sim
