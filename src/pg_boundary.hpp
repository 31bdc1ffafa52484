// pg_boundary.hpp — the only place where C++ exceptions become ereport, and
// the guards that undo a change when an ereport unwinds (WithCleanup, WithDepth).
//
// PostgreSQL reports errors with longjmp, which skips C++ destructors, and C++
// exceptions must never unwind through PostgreSQL frames.  So every call from
// the shell into src/core goes through CoreString/CoreVoid: the core runs in a
// try block, an exception is copied into fixed buffers, and ereport happens
// only after the catch has closed, with no C++ object alive.  Results come
// back as palloc'd C strings (allocated with MCXT_ALLOC_NO_OOM, which never
// longjmps).
#pragma once

extern "C" {
#include "postgres.h"
#include "utils/memutils.h"
}

#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "core/error.hpp"

namespace softdelete {

struct CoreFailure {
    bool failed = false;
    char sqlstate[6] = {0};
    char message[1024] = {0};
    char detail[1024] = {0};
    char hint[1024] = {0};
};

inline void CaptureFailure(CoreFailure &f, const char *sqlstate, const char *message,
                           const char *detail, const char *hint) noexcept {
    f.failed = true;
    std::snprintf(f.sqlstate, sizeof f.sqlstate, "%s", sqlstate);
    std::snprintf(f.message, sizeof f.message, "%s", message);
    std::snprintf(f.detail, sizeof f.detail, "%s", detail);
    std::snprintf(f.hint, sizeof f.hint, "%s", hint);
}

// Reports a captured failure; never returns.
[[noreturn]] void RaiseCoreFailure(const CoreFailure &f);

template <typename F>
void RunGuarded(CoreFailure &failure, F &&f) noexcept {
    try {
        f();
    } catch (const core::Error &e) {
        CaptureFailure(failure, e.sqlstate().c_str(), e.what(), e.detail().c_str(),
                       e.hint().c_str());
    } catch (const std::bad_alloc &) {
        CaptureFailure(failure, "53200", "out of memory", "", "");
    } catch (const std::exception &e) {
        CaptureFailure(failure, "XX000", e.what(), "", "");
    } catch (...) {
        CaptureFailure(failure, "XX000", "unknown C++ exception", "", "");
    }
}

// Runs f() -> std::string in the core and returns a palloc'd copy.
template <typename F>
char *CoreString(F &&f) {
    CoreFailure failure;
    char *result = nullptr;
    bool oom = false;
    RunGuarded(failure, [&] {
        std::string s = f();
        result = static_cast<char *>(MemoryContextAllocExtended(
            CurrentMemoryContext, s.size() + 1, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM));
        if (result == nullptr)
            oom = true;
        else
            std::memcpy(result, s.c_str(), s.size() + 1);
    });
    if (failure.failed) RaiseCoreFailure(failure);
    if (oom) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
    return result;
}

// Runs f() -> void in the core.
template <typename F>
void CoreVoid(F &&f) {
    CoreFailure failure;
    RunGuarded(failure, f);
    if (failure.failed) RaiseCoreFailure(failure);
}

// Runs f(), then `after` — also when f raises an error (which then goes on).
// Neither may keep a C++ object with a destructor alive across an ereport.
// (PG_FINALLY's own flag is set only after the longjmp, so GCC's
// -Wclobbered warning about it is a false alarm.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wclobbered"
#endif
template <typename F, typename A>
void WithCleanup(F &&f, A &&after) {
    PG_TRY();
    { f(); }
    PG_FINALLY();
    { after(); }
    PG_END_TRY();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// Runs f() with *depth one higher, lowered again on error too.
template <typename F>
void WithDepth(int *depth, F &&f) {
    (*depth)++;
    WithCleanup(f, [depth] { (*depth)--; });
}

}  // namespace softdelete
