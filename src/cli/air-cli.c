/* air-cli.c — qair: the list of commands, their help, and what they share
 *
 * Every command is one or two service calls to a zone's gateway; the
 * streaming ones (run, dispvm in air-cli-run.c, events in air-cli-events.c)
 * hand our own stdin/stdout to the service; the qube commands are in
 * air-cli-qubes.c. Text from a zone is sanitised before it reaches a terminal.
 * Every zone asked has a time limit (air-cli-zones.c), and a qube name
 * means one qube: ZONE:NAME or --zone says which where two zones have it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "air-cli.h"
#include "air-cli-config.h"
#include "air-cli-copy.h"
#include "air-cli-events.h"
#include "air-cli-prefs.h"
#include "air-cli-qubes.h"
#include "air-cli-run.h"
#include "air-cli-template.h"
#include "air-cli-remotevm.h"
#include "air-cli-cred.h"
#include "air-cli-key.h"
#include "air-cli-wait.h"
#include "air-cli-zone.h"
#include "air-cli-zones.h"
#include "air-names.h"
#include "air-zone-registry.h"

#define EXIT_USAGE AIR_CLI_EXIT_USAGE

static AirZoneRegistry *registry;

int
air_cli_fail (GError *error)
{
  g_printerr ("qair: %s\n", error->message);
  return 1;
}

/* "qair: MESSAGE", then where to read how the command is used. */
int
air_cli_usage (const char *message)
{
  const char *prgname = g_get_prgname ();

  g_printerr ("qair: %s\n", message);
  if (prgname != NULL && g_str_has_prefix (prgname, "qair "))
    g_printerr (_("qair: “%s --help” shows how to use it.\n"), prgname);
  else
    g_printerr (_("qair: “qair help” lists the commands.\n"));
  return EXIT_USAGE;
}

gboolean
air_cli_load_registry (GError **error)
{
  if (registry != NULL)
    return TRUE;
  registry = air_zone_registry_new (NULL);
  if (air_zone_registry_load (registry, error))
    return TRUE;
  g_clear_object (&registry);
  return FALSE;
}

/* The registry air_cli_load_registry() loaded. */
AirZoneRegistry *
air_cli_registry (void)
{
  return registry;
}

static const char *current_usage (void);

/* A command's options; its --help starts with its full usage line, as
 * `qair help` shows it. */
GOptionContext *
air_cli_command_context (const char         *parameters,
                 const char         *summary,
                 const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);
  const char *usage = current_usage ();
  g_autofree char *text = NULL;

  if (usage != NULL)
    text = g_strconcat (usage, summary != NULL ? "\n\n" : NULL, summary, NULL);
  else
    text = g_strdup (summary);
  if (text != NULL)
    g_option_context_set_summary (context, text);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return context;
}

/* Splits "OPTIONS… -- CMD…" so that the command's own options are never
 * taken for ours: returns the index of "--", or @argc. */
int
air_cli_find_separator (int    argc,
                char **argv)
{
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--") == 0)
      return i;
  return argc;
}

static int
cmd_copy (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (!air_cli_load_registry (&error))
    return air_cli_fail (error);
  return air_cli_copy_main (registry, argc, argv);
}

/* Commands with their own subcommands, each its own usage. */
static int
cmd_cred (int argc, char **argv)
{
  return air_cli_cred_main (argc, argv);
}

static int
cmd_key (int argc, char **argv)
{
  return air_cli_key_main (argc, argv);
}

static int
cmd_zone (int argc, char **argv)
{
  return air_cli_zone_main (argc, argv);
}

static int
cmd_prefs (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (!air_cli_load_registry (&error))
    return air_cli_fail (error);
  return air_cli_prefs_main (registry, argc, argv);
}

static int
cmd_remotevm (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (!air_cli_load_registry (&error))
    return air_cli_fail (error);
  return air_cli_remotevm_main (registry, argc, argv);
}

static int
cmd_template (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (!air_cli_load_registry (&error))
    return air_cli_fail (error);
  return air_cli_template_main (registry, argc, argv);
}

static int
cmd_config (int argc, char **argv)
{
  return air_cli_config_main (argc, argv);
}

typedef struct {
  const char *name;
  const char *usage;       /* its lines in `qair help`, each "qair NAME …" */
  int       (*run) (int argc, char **argv);
  gboolean    subcommands; /* "qair NAME SUB …": help is the usage lines */
} Command;

/* The order `qair help` shows. The man page (doc/man/qair.1) and the bash
 * completion (data/bash-completion/qair) list the same commands: a test
 * checks each against this list. */
static const Command commands[] = {
  { "zones", N_("qair zones [--json]"), air_cli_cmd_zones, FALSE },
  { "ls", N_("qair ls [--zone ZONE] [--json]"), air_cli_cmd_ls, FALSE },
  { "create", N_("qair create [ZONE:]NAME --zone ZONE [--template TEMPLATE] [--label LABEL] [--memory MIB] [--vcpus N] [--network]"), air_cli_cmd_create, FALSE },
  { "start", N_("qair start [--zone ZONE] [ZONE:]NAME"), air_cli_cmd_start, FALSE },
  { "shutdown", N_("qair shutdown [--zone ZONE] [ZONE:]NAME"), air_cli_cmd_shutdown, FALSE },
  { "kill", N_("qair kill [--zone ZONE] [ZONE:]NAME"), air_cli_cmd_kill, FALSE },
  { "rm", N_("qair rm [--zone ZONE] [ZONE:]NAME"), air_cli_cmd_rm, FALSE },
  { "prefs", N_("qair prefs [--zone ZONE] [ZONE:]NAME [--json]\n"
                 "qair prefs [--zone ZONE] [ZONE:]NAME [--label LABEL] [--memory MIB] [--vcpus N]"), cmd_prefs, FALSE },
  { "run", N_("qair run [--zone ZONE] [ZONE:]NAME -- COMMAND [ARG…]"), air_cli_cmd_run, FALSE },
  { "dispvm", N_("qair dispvm --zone ZONE [--template TEMPLATE] -- COMMAND [ARG…]"), air_cli_cmd_dispvm, FALSE },
  { "events", N_("qair events [--zone ZONE]"), air_cli_cmd_events, FALSE },
  { "copy", N_("qair copy [--zone ZONE] PATH… [ZONE:]DEST_QUBE\n"
                "qair copy [--from-zone ZONE] [--zone ZONE] SRC_QUBE:PATH… [ZONE:]DEST_QUBE"), cmd_copy, FALSE },
  { "cred", N_("qair cred put ZONE --kind KIND --label LABEL [--gateway QUBE] < SECRET\n"
                "qair cred ls [--json]\n"
                "qair cred rm ZONE [--kind KIND]"), cmd_cred, TRUE },
  { "key", N_("qair key generate --zone ZONE [--gateway QUBE] [--label LABEL] [--replace]\n"
               "qair key generate --kind age NAME [--label LABEL]"), cmd_key, TRUE },
  { "zone", N_("qair zone add NAME [--driver local|ssh] [--gateway QUBE] [--host HOST] [--port PORT] [--user USER]\n"
                "              [--agent PATH] [--timeout SECONDS] [--wireguard HOST:PORT [--wireguard-peer-key KEY]]\n"
                "              [--fingerprint SHA256:…]\n"
                "qair zone add NAME --driver proxmox --url https://HOST:8006 --node NODE [--pool POOL] [--storage STORAGE]\n"
                "              [--wireguard HOST:PORT [--wireguard-peer-key KEY]] [--fingerprint SHA256:…]\n"
                "qair zone trust NAME [--fingerprint SHA256:…]\n"
                "qair zone up NAME\n"
                "qair zone rekey NAME\n"
                "qair zone rm NAME"), cmd_zone, TRUE },
  { "config", N_("qair config export [--zone ZONE] [--recipient age1… | --recipient-file FILE | --passphrase]\n"
                  "                   [--output FILE] [--with-secrets [--yes]]\n"
                  "qair config import FILE [--identity FILE | --identity-in-vault NAME | --passphrase]\n"
                  "                   [--replace] [--yes]"), cmd_config, TRUE },
  { "template", N_("qair template ls [--zone ZONE] [--json]\n"
                    "qair template import NAME --zone ZONE ROOTFS.tar[.gz|.xz|.zst]\n"
                    "qair template create NAME --zone ZONE --from BASE [--package PKG|FILE.deb …] [--run CMD]\n"
                    "qair template update [ZONE:]NAME [--package PKG|FILE.deb …] [--run CMD] [--upgrade]\n"
                    "qair template rollback [ZONE:]NAME\n"
                    "qair template rm [ZONE:]NAME"), cmd_template, TRUE },
  { "remotevm", N_("qair remotevm script --zone ZONE [--format sh|sls] [QUBE…]"), cmd_remotevm, TRUE },
  { "help", N_("qair help [COMMAND]"), NULL, FALSE },
};

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* The usage line of the command being run (its program name is "qair NAME"). */
static const char *
current_usage (void)
{
  const char *prgname = g_get_prgname ();
  const Command *command;

  if (prgname == NULL || !g_str_has_prefix (prgname, "qair ") ||
      (command = find_command (prgname + strlen ("qair "))) == NULL)
    return NULL;
  return _(command->usage);
}

static void
print_usage_lines (const Command *command,
                   gboolean       to_stderr)
{
  g_auto(GStrv) lines = g_strsplit (_(command->usage), "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (to_stderr)
      g_printerr ("  %s\n", lines[i]);
    else
      g_print ("  %s\n", lines[i]);
}

static int
cmd_help_all (gboolean to_stderr)
{
  const char *intro = _("Usage:\n");
  const char *outro = _("\n"
                        "A qube NAME may be written ZONE:NAME, or given --zone ZONE, where two zones have it.\n"
                        "“qair help COMMAND” or “qair COMMAND --help” shows a command’s options;\n"
                        "“man qair” tells more. qair --version prints the version.\n");

  if (to_stderr)
    g_printerr ("%s", intro);
  else
    g_print ("%s", intro);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    print_usage_lines (&commands[i], to_stderr);
  if (to_stderr)
    g_printerr ("%s", outro);
  else
    g_print ("%s", outro);
  return to_stderr ? EXIT_USAGE : 0;
}

static int
run_command (const Command  *command,
             int             argc,
             char          **argv);

/* `qair help COMMAND` is `qair COMMAND --help`. */
static int
cmd_help (int argc, char **argv)
{
  const Command *command;
  char *help_argv[] = { NULL, (char *) "--help", NULL };

  if (argc < 2)
    return cmd_help_all (FALSE);
  command = find_command (argv[1]);
  if (command == NULL || command->run == NULL)
    {
      g_autofree char *shown = air_text_sanitize (argv[1], -1, 40);
      g_autofree char *message = g_strdup_printf (_("Unknown command “%s”"), shown);

      if (command == NULL)
        return air_cli_usage (message);
      return cmd_help_all (FALSE);
    }
  help_argv[0] = (char *) command->name;
  return run_command (command, 2, help_argv);
}

static int
run_command (const Command  *command,
             int             argc,
             char          **argv)
{
  g_autofree char *prgname = NULL;

  /* Usage lines read "qair ls [OPTION…]", "qair zone add [OPTION…]". */
  if (command->subcommands && argc >= 2 && argv[1][0] != '-' && air_name_is_valid (argv[1]))
    prgname = g_strdup_printf ("qair %s %s", command->name, argv[1]);
  else
    prgname = g_strdup_printf ("qair %s", command->name);
  g_set_prgname (prgname);

  if (command->subcommands &&
      (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      g_autofree char *summary = g_strdup_printf (_("Usage of “qair %s”:\n"), command->name);

      if (argc < 2)
        {
          g_printerr ("%s", summary);
          print_usage_lines (command, TRUE);
          return EXIT_USAGE;
        }
      g_print ("%s", summary);
      print_usage_lines (command, FALSE);
      return 0;
    }
  return command->run (argc, argv);
}

int
air_cli_main (int    argc,
              char **argv)
{
  const Command *command;
  int status;

  if (argc < 2)
    return cmd_help_all (TRUE);

  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-V") == 0)
    {
      g_print ("qair %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    return cmd_help_all (FALSE);

  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_autofree char *shown = air_text_sanitize (argv[1], -1, 40);
      g_autofree char *message = g_strdup_printf (_("Unknown command “%s”"), shown);

      return air_cli_usage (message);
    }

  if (command->run == NULL)
    status = cmd_help (argc - 1, argv + 1);
  else
    status = run_command (command, argc - 1, argv + 1);

  g_clear_object (&registry);
  return status;
}
