// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

// libpng 1.6 (Debian libpng-dev): decodes image-folder datasets and writes every PNG distill makes.
#include <png.h>
