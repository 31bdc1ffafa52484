// pg_boundary.cpp — turns a captured core failure into ereport (see pg_boundary.hpp).
#include "pg_boundary.hpp"

namespace softdelete {

void RaiseCoreFailure(const CoreFailure &f) {
    const char *s = f.sqlstate;
    int code = MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
    ereport(ERROR, (errcode(code), errmsg_internal("%s", f.message),
                    f.detail[0] ? errdetail_internal("%s", f.detail) : 0,
                    f.hint[0] ? errhint("%s", f.hint) : 0));
    pg_unreachable();
}

}  // namespace softdelete
