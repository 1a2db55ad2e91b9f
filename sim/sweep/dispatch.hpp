// The points of a sweep's current round, handed out one at a time to whoever asks (this
// process's threads, and under MPI the other ranks through rank 0's server), and their rows
// collected. One point per request keeps every worker busy until the round's last point, so
// the split follows each point's measured cost: a worker on slow points simply takes fewer.
// A round ends when every point handed out is back; the next round (an adaptive search's) may
// depend on all of them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace arithsim::sweep {

class Dispatch {
 public:
  struct Take {
    enum Kind { Work, Wait, Done } kind = Done;
    size_t index = 0;
  };

  // `finished(index, journal_line)`: called under the dispatch's lock, once per point.
  explicit Dispatch(std::function<void(size_t, const std::string&)> finished) : finished_(std::move(finished)) {}

  void start_round(std::vector<size_t> todo) {
    std::lock_guard lock(mu_);
    todo_ = std::move(todo);
    next_ = 0;
    outstanding_ = todo_.size();
    cv_.notify_all();
  }
  // No more rounds (or an error): every take from now on is Done.
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  void fail(const std::string& what) {
    std::lock_guard lock(mu_);
    if (!error_) error_ = what;
    closed_ = true;
    cv_.notify_all();
  }

  // Never blocks: Wait when this round's points are all handed out but not all back.
  Take take() {
    std::lock_guard lock(mu_);
    if (closed_) return {Take::Done, 0};
    if (next_ < todo_.size()) return {Take::Work, todo_[next_++]};
    return {Take::Wait, 0};
  }
  // For this process's threads: waits for a point, or Done.
  Take take_blocking() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || next_ < todo_.size(); });
    if (closed_) return {Take::Done, 0};
    return {Take::Work, todo_[next_++]};
  }
  // A failing `finished` (the journal cannot be written) ends the sweep as an error.
  void finish(size_t index, const std::string& line) {
    std::lock_guard lock(mu_);
    try {
      finished_(index, line);
    } catch (const std::exception& e) {
      if (!error_) error_ = e.what();
      closed_ = true;
    }
    if (outstanding_ > 0) --outstanding_;
    cv_.notify_all();
  }

  // Waits at most `d` (forever when zero) for the round to end or an error; true when the
  // round has ended.
  bool wait_round(std::chrono::microseconds d) {
    std::unique_lock lock(mu_);
    auto ended = [&] { return outstanding_ == 0 || error_.has_value(); };
    if (d.count() == 0) cv_.wait(lock, ended);
    else cv_.wait_for(lock, d, ended);
    return outstanding_ == 0 && !error_;
  }
  std::optional<std::string> error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  std::function<void(size_t, const std::string&)> finished_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<size_t> todo_;
  size_t next_ = 0, outstanding_ = 0;
  bool closed_ = false;
  std::optional<std::string> error_;
};

}  // namespace arithsim::sweep
