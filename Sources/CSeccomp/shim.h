#ifndef LILYPAD_CSECCOMP_SHIM_H
#define LILYPAD_CSECCOMP_SHIM_H

#include <seccomp.h>

#endif
