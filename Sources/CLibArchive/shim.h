// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

// libarchive (Debian libarchive-dev): reads CIFAR's .tar.gz releases, streaming.
#include <archive.h>
#include <archive_entry.h>
