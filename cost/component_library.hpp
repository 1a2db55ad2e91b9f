// The component library: area / energy / leakage / delay of arithmetic building blocks by
// their bit widths, at any technology node, each with its source. Data, not code: the
// default library is cost/library/components.yaml + technology.yaml (embedded in the
// binary); a user file replaces any component's numbers, constants or nodes, or adds new
// ones, without recompiling. Format and sources: docs/cost.md.
//
//   const auto lib = ComponentLibrary::builtin();
//   Cost c = lib.component("int_multiplier", {8, 8}, 28);   // 8x8 multiplier at 28 nm
//   auto parts = lib.breakdown("fp_adder", {4, 3}, 7);        // align / accumulate / normalize / round
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <arithsim/cost/cost.hpp>
#include <arithsim/cost/technology.hpp>

namespace arithsim::cost {

struct LibraryState;  // component_library.cpp

class ComponentLibrary {
 public:
  static ComponentLibrary builtin();
  // Library from files (the technology file is separate from the components file).
  static ComponentLibrary load(const std::string& components_path, const std::string& technology_path);
  static ComponentLibrary parse(std::string_view components_yaml, std::string_view components_file,
                                std::string_view technology_yaml, std::string_view technology_file);
  // The same over a technology already parsed (several component files over one technology).
  static ComponentLibrary parse(std::string_view components_yaml, std::string_view components_file,
                                Technology technology);

  // A user file: any of `constants`, `components`, `nodes` (and `version`). A component's
  // given fields replace the library's (e.g. just `points` with post-synthesis figures, and
  // `node` if they were measured at another node); its source becomes "user (FILE): ...".
  // On error the library is unchanged.
  void merge_file(const std::string& path);
  void merge(std::string_view yaml, std::string_view file);

  // One instance of `name` with the given widths (in the order of its `params`), at a node.
  Cost component(std::string_view name, std::span<const double> widths, const Node& node) const;
  Cost component(std::string_view name, std::initializer_list<double> widths, double node_nm) const;
  Cost component(std::string_view name, std::initializer_list<double> widths) const;  // reference node
  // Per-stage parts of a composite component (a primitive one gives one entry); they sum to
  // component(...) (delays in series).
  std::vector<StageCost> breakdown(std::string_view name, std::span<const double> widths, const Node& node) const;
  std::vector<StageCost> breakdown(std::string_view name, std::initializer_list<double> widths, double node_nm) const;

  // A resolved component, for queries in a loop without the name lookup.
  class Handle {
   public:
    Cost cost(std::span<const double> widths, const Node& node) const;
    const std::string& name() const;
    const std::vector<std::string>& params() const;

   private:
    friend class ComponentLibrary;
    std::shared_ptr<const LibraryState> state_;
    size_t index_ = 0;
  };
  Handle find(std::string_view name) const;  // LibraryError if unknown

  std::vector<std::string> names() const;
  const std::vector<std::string>& params(std::string_view name) const;
  const std::string& description(std::string_view name) const;
  const Technology& technology() const;
  int version() const;

 private:
  std::shared_ptr<const LibraryState> state_;
};

}  // namespace arithsim::cost
