/* main.c — qubes-air: translations, then the application
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "qubes-air"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "air-application.h"
#include "air-transport.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AirApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  air_application_choose_renderer ();
  air_transport_set_large_caller (TRUE);   /* see there */
  app = air_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
