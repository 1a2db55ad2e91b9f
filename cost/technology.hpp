// Technology nodes: supply voltage and area / energy / delay / leakage scaling factors
// relative to the reference node (cost/library/technology.yaml: 45, 32, 28, 22, 20, 16, 14,
// 10, 7 nm), with their sources. A user file may add a node or replace a node's numbers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <arithsim/cost/cost.hpp>

namespace arithsim::cost {

struct Node {
  std::string name;  // the key in the file: "45", "28", "my_12nm"
  double feature_nm = 0;
  double vdd_v = 0;
  // Multiply a reference-node cost by these to get this node's cost.
  double area = 1, energy = 1, delay = 1, leakage = 1;
  std::string source;
  // Stillmaker & Baas 2017 HP fit coefficients where the node has them (highest power
  // first): delay cubic, energy quadratic in vdd. Empty otherwise. Kept for traceability.
  std::vector<double> fit_delay, fit_energy;
};

class Technology {
 public:
  // The technology file: `version`, `reference_node`, `nodes`.
  static Technology parse(std::string_view yaml, std::string_view file);
  static Technology builtin();  // the embedded cost/library/technology.yaml

  // A user file's `nodes:` section (its other sections are not read here): new nodes need
  // every field; an existing node's given fields replace its numbers and its source becomes
  // "user (FILE)...".
  void merge(std::string_view yaml, std::string_view file);

  const Node& reference() const { return nodes_[ref_]; }
  const Node& node(double feature_nm) const;   // LibraryError naming the known nodes
  const Node& node(std::string_view name) const;
  const Node* find(std::string_view name) const;
  const std::vector<Node>& nodes() const { return nodes_; }  // largest feature size first
  int version() const { return version_; }

 private:
  std::vector<Node> nodes_;
  size_t ref_ = 0;
  int version_ = 0;
  std::string file_;
  void sort_and_check(std::string_view file);
};

}  // namespace arithsim::cost
