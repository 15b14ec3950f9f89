// Syscall-table checks shared by the sequence models (stide, markov, bag, cover): a model
// learns traces of one table; a trace or a model of another table is refused (Learn, Merge) or
// scored as fully anomalous with this reason (ScoreTrace).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "ml/model.h"
#include "ml/trace.h"

namespace vigil::ml {

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
