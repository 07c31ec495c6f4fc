// Anchor translation unit: the layer library needs at least one source while
// the implementations land (in-process and PC/SC readers).
#include "sim/reader/card_reader.h"
