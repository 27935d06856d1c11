// Intentionally empty: SwiftPM builds a C target only from at least one source file.
#include "LibFuzzerDriver.h"
