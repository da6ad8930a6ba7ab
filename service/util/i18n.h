/* gettext setup shared by every guestd program and library file. */
#pragma once

#include "config.h"

#include <glib/gi18n-lib.h>
