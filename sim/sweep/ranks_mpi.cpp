// Ranks over MPI (sim/sweep/ranks.hpp). Rank 0's main thread is the only one there calling
// MPI (it polls between its round checks); a worker rank's threads take turns through one
// mutex (MPI_THREAD_SERIALIZED), each holding it for one short ask-and-reply: rank 0 answers
// every ask at once (a point, "wait" at a round's end, or "done"), so no thread ever holds the
// mutex while waiting on another. A reply is a chunk of point indices, or kWait / kDone.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "sim/sweep/ranks.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace arithsim::sweep {
namespace {

enum Tag : int { kAsk = 1, kReply, kRow, kError, kBye };
constexpr int64_t kWait = -1, kDone = -2;

class MpiRanks final : public Ranks {
 public:
  MpiRanks() {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    if (provided < MPI_THREAD_SERIALIZED) {
      MPI_Finalize();
      throw SweepError("MPI: this MPI library cannot serve threads one at a time (MPI_THREAD_SERIALIZED); use --jobs 1 per rank");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
    stats_.resize(size_t(size_));
  }
  ~MpiRanks() override { MPI_Finalize(); }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_size() const override { return local_size_; }
  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

  bool serve(Dispatch& d, size_t* handled) override {
    if (handled) *handled = 0;
    for (;;) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
      if (!flag) break;
      int n = 0;
      MPI_Get_count(&st, MPI_BYTE, &n);
      std::string msg(size_t(n), '\0');
      MPI_Recv(msg.data(), n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (handled) ++*handled;
      switch (st.MPI_TAG) {
        case kAsk: {  // a chunk of points, or one of kWait / kDone
          Dispatch::Take::Kind kind = Dispatch::Take::Done;
          const auto chunk = d.take_chunk(st.MPI_SOURCE, &kind);
          std::vector<int64_t> reply(chunk.begin(), chunk.end());
          if (kind != Dispatch::Take::Work) reply = {kind == Dispatch::Take::Wait ? kWait : kDone};
          MPI_Send(reply.data(), int(reply.size()), MPI_INT64_T, st.MPI_SOURCE, kReply, MPI_COMM_WORLD);
          break;
        }
        case kRow: {
          uint64_t index = 0;
          std::memcpy(&index, msg.data(), sizeof index);
          d.finish(size_t(index), msg.substr(sizeof index));
          break;
        }
        case kError:
          d.fail(fmt::format("rank {}: {}", st.MPI_SOURCE, msg));
          break;
        case kBye: {
          RankStats& s = stats_[size_t(st.MPI_SOURCE)];
          uint64_t points = 0;
          std::memcpy(&points, msg.data(), sizeof points);
          std::memcpy(&s.busy_s, msg.data() + sizeof points, sizeof s.busy_s);
          s.points = size_t(points);
          ++byes_;
          break;
        }
        default:
          d.fail(fmt::format("MPI: unexpected message (tag {}) from rank {}", st.MPI_TAG, st.MPI_SOURCE));
      }
    }
    return byes_ < size_ - 1;
  }

  std::vector<RankStats> stats() const override { return {stats_.begin() + 1, stats_.end()}; }

  RankStats work(size_t jobs, const std::function<std::string(size_t)>& evaluate) override {
    std::mutex mpi;  // one thread in MPI at a time
    std::mutex mu;
    RankStats total;
    auto send = [&](const std::string& s, int tag) {
      MPI_Send(s.data(), int(s.size()), MPI_BYTE, 0, tag, MPI_COMM_WORLD);
    };
    auto worker = [&] {
      int wait_ms = 1;  // backs off while a round's last points are out (many ranks asking)
      for (;;) {
        std::vector<int64_t> reply;
        {
          std::lock_guard lock(mpi);
          send("", kAsk);
          MPI_Status st;
          MPI_Probe(0, kReply, MPI_COMM_WORLD, &st);
          int n = 0;
          MPI_Get_count(&st, MPI_INT64_T, &n);
          reply.resize(size_t(n));
          MPI_Recv(reply.data(), n, MPI_INT64_T, 0, kReply, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        if (reply.empty() || reply[0] == kDone) return;
        if (reply[0] == kWait) {  // the round's last points are still out
          std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
          wait_ms = std::min(2 * wait_ms, 64);
          continue;
        }
        wait_ms = 1;
        for (const int64_t index : reply) {  // each row sent as soon as it is done
          const auto t0 = std::chrono::steady_clock::now();
          std::string line;
          try {
            line = evaluate(size_t(index));
          } catch (const std::exception& e) {
            std::lock_guard lock(mpi);
            send(e.what(), kError);
            return;
          }
          const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          std::string msg(sizeof(uint64_t), '\0');
          const uint64_t u = uint64_t(index);
          std::memcpy(msg.data(), &u, sizeof u);
          msg += line;
          {
            std::lock_guard lock(mpi);
            send(msg, kRow);
          }
          std::lock_guard lock(mu);
          ++total.points;
          total.busy_s += s;
        }
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < std::max<size_t>(jobs, 1); ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    // After an error rank 0 answers "done" to every ask; the goodbye is still owed.
    std::string bye(sizeof(uint64_t) + sizeof(double), '\0');
    const uint64_t points = total.points;
    std::memcpy(bye.data(), &points, sizeof points);
    std::memcpy(bye.data() + sizeof points, &total.busy_s, sizeof total.busy_s);
    send(bye, kBye);
    return total;
  }

 private:
  int rank_ = 0, size_ = 1, local_size_ = 1, byes_ = 0;
  std::vector<RankStats> stats_;
};

}  // namespace

std::unique_ptr<Ranks> Ranks::from_environment() {
  if (launched_ranks() == 1) return nullptr;
  return std::make_unique<MpiRanks>();
}

}  // namespace arithsim::sweep
