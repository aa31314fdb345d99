// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

// libjpeg-turbo's libjpeg API (Debian libjpeg62-turbo-dev): decodes the JPEGs of image-folder datasets.
#include <stddef.h>
#include <stdio.h>
#include <jpeglib.h>
