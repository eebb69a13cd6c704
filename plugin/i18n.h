// SPDX-License-Identifier: GPL-2.0-or-later
// Translation helpers. The plugin has its own gettext domain (GETTEXT_PACKAGE) so its
// catalogue never depends on libpurple's; init_plugin binds it to LOCALEDIR.
#pragma once

#include <glib.h>

#include "config.h"

#if ENABLE_NLS
#define _(text) g_dgettext(GETTEXT_PACKAGE, text)
#else
#define _(text) (text)
#endif
// Marks a string for extraction where it must stay untranslated until it is used
// (static tables); translate it with _() at the point of use.
#define N_(text) (text)
