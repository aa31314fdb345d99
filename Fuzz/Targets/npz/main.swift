// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import FuzzDriver

runLibFuzzer(fuzz)
