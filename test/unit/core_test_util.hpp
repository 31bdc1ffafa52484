// core_test_util.hpp — shared helpers for the GoogleTest unit tests of src/core.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "core/error.hpp"

namespace softdelete::core::testing {

// Runs fn, which must throw core::Error; returns the error so the caller can
// check its SQLSTATE, message, detail and hint.  Fails the test (and returns an
// error with an empty SQLSTATE) when fn returns normally or throws anything else.
template <typename Fn>
Error CatchCoreError(Fn &&fn) {
    try {
        std::forward<Fn>(fn)();
    } catch (const Error &e) {
        return e;
    } catch (const std::exception &e) {
        ADD_FAILURE() << "expected core::Error, got std::exception: " << e.what();
        return Error("", "");
    } catch (...) {
        ADD_FAILURE() << "expected core::Error, got a non-standard exception";
        return Error("", "");
    }
    ADD_FAILURE() << "expected core::Error, nothing was thrown";
    return Error("", "");
}

}  // namespace softdelete::core::testing
