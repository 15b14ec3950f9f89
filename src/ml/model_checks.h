// Checks the models share. Merge: the other model must be of the same kind (MergeSource).
// Syscall tables (the sequence models stide, markov, bag, cover): a model learns traces of one
// table; a trace or a model of another table is refused (Learn, Merge) or scored as fully
// anomalous with the TableMismatch reason (ScoreTrace).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "ml/model.h"
#include "ml/trace.h"

namespace vigil::ml {

// `other` as the model type M; InvalidArgument "<model>: cannot merge a '<name>' model" when it
// is another kind of model.
template <typename M>
StatusOr<const M*> MergeSource(std::string_view model, const Model& other) {
  const auto* m = dynamic_cast<const M*>(&other);
  if (m == nullptr) {
    return InvalidArgumentError(std::string(model) + ": cannot merge a '" +
                                std::string(other.name()) + "' model");
  }
  return m;
}

// InvalidArgument "<model>: trace <id> uses the <T> syscall table, the model learned <L>" when
// the model has learned and the trace's table differs.
inline Status CheckLearnTable(std::string_view model, bool learned, SyscallTable table,
                              const Trace& trace) {
  if (!learned || trace.table == table) return OkStatus();
  return InvalidArgumentError(std::string(model) + ": trace " + trace.id + " uses the " +
                              std::string(SyscallTableName(trace.table)) +
                              " syscall table, the model learned " +
                              std::string(SyscallTableName(table)));
}

// InvalidArgument when both models learned and their tables differ.
inline Status CheckMergeTable(std::string_view model, bool learned, SyscallTable table,
                              SyscallTable other) {
  if (!learned || other == table) return OkStatus();
  return InvalidArgumentError(std::string(model) + ": cannot merge a model of the " +
                              std::string(SyscallTableName(other)) + " syscall table into one of " +
                              std::string(SyscallTableName(table)));
}

// The reason given for a trace of another table, with the score it gets.
inline Explanation TableMismatch(SyscallTable trace, SyscallTable learned, double weight) {
  return {"sequence",
          "trace uses the " + std::string(SyscallTableName(trace)) +
              " syscall table, the model learned " + std::string(SyscallTableName(learned)),
          weight, 0};
}

}  // namespace vigil::ml
