// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

// zlib for in-process gzip: the system library on Linux (zlib1g-dev), the SDK's on Apple platforms.
#include <zlib.h>
