// The points of a sweep's current round, handed out to whoever asks (this process's threads,
// and under MPI the other ranks through rank 0's server), and their rows collected. A round
// ends when every point handed out is back; the next round (an adaptive search's) may depend
// on all of them.
//
// Points are grouped by what their measurements depend on (the PE and the workload: the
// activity and accuracy sampling, shared through the estimator's caches). On one machine the
// threads share one cache, so they take points from the groups in turn: two threads measure
// two PEs at once instead of one waiting for the other's. Under MPI every rank has caches of
// its own, so each taker (another rank, or one of rank 0's threads) gets chunks from one group
// at a time, the same group as long as it lasts: a PE is measured by as few ranks as can be.
// The chunks shrink as the round empties (guided self-scheduling), so the takers finish
// together, each having taken as many points as its measured speed allowed.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
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
  // `takers`: how many take chunks at once (a chunk is about 1/(2 takers) of what is left).
  Dispatch(std::function<void(size_t, const std::string&)> finished, size_t takers)
      : finished_(std::move(finished)), parts_(2 * std::max<size_t>(takers, 1)) {}

  // `group_of(index)`: the key of what the point's measurements depend on.
  void start_round(const std::vector<size_t>& todo, const std::function<std::string(size_t)>& group_of) {
    std::lock_guard lock(mu_);
    groups_.clear();
    affinity_.clear();
    std::map<std::string, size_t> at;
    for (const size_t i : todo) {
      const auto [it, fresh] = at.emplace(group_of(i), groups_.size());
      if (fresh) groups_.emplace_back();
      groups_[it->second].points.push_back(i);
    }
    left_ = outstanding_ = todo.size();
    turn_ = 0;
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

  // For this process's threads: waits for a point (from the next group in turn), or Done.
  Take take_blocking() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || left_ > 0; });
    if (closed_) return {Take::Done, 0};
    for (size_t k = 0; k < groups_.size(); ++k) {
      Group& g = groups_[(turn_ + k) % groups_.size()];
      if (g.next == g.points.size()) continue;
      turn_ = (turn_ + k + 1) % groups_.size();
      --left_;
      return {Take::Work, g.points[g.next++]};
    }
    return {Take::Done, 0};  // not reached: left_ > 0
  }
  // For a taker with caches of its own (`requester`: another rank, or one of rank 0's threads
  // under MPI): a chunk of about 1/parts of the round's points not handed out yet (at least
  // one) from one group, the taker's last group while it lasts. Empty, with `kind` Wait (the
  // round's last points are still out) or Done; `block`: waits for points instead of Wait.
  std::vector<size_t> take_chunk(int requester, Take::Kind* kind, bool block = false) {
    std::unique_lock lock(mu_);
    if (block) cv_.wait(lock, [&] { return closed_ || left_ > 0; });
    std::vector<size_t> out;
    *kind = closed_ ? Take::Done : left_ == 0 ? Take::Wait : Take::Work;
    if (*kind != Take::Work) return out;
    auto left_in = [&](size_t g) { return groups_[g].points.size() - groups_[g].next; };
    size_t g = groups_.size();
    if (const auto it = affinity_.find(requester); it != affinity_.end() && left_in(it->second) > 0) {
      g = it->second;
    } else {  // the group with the most points left
      for (size_t k = 0; k < groups_.size(); ++k)
        if (left_in(k) > 0 && (g == groups_.size() || left_in(k) > left_in(g))) g = k;
    }
    const size_t n = std::clamp<size_t>(left_ / parts_, 1, left_in(g));
    Group& grp = groups_[g];
    out.assign(grp.points.begin() + std::ptrdiff_t(grp.next), grp.points.begin() + std::ptrdiff_t(grp.next + n));
    grp.next += n;
    left_ -= n;
    affinity_[requester] = g;
    return out;
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
  struct Group {
    std::vector<size_t> points;
    size_t next = 0;
  };
  std::function<void(size_t, const std::string&)> finished_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Group> groups_;
  std::map<int, size_t> affinity_;  // requester -> its last group
  size_t parts_ = 2, left_ = 0, outstanding_ = 0, turn_ = 0;
  bool closed_ = false;
  std::optional<std::string> error_;
};

}  // namespace arithsim::sweep
