/* air-vmexec.c — qubes.VMExec's command line, from its service argument
 *
 * What a RemoteVM's caller sends (through the relay) is hostile: the
 * decoder accepts only Qubes' own encoding and bounds the words.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vmexec"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "air-error.h"
#include "air-vmexec.h"

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Qubes' encoding of a command line in a service argument: the words are
 * joined with "+", and in each word "--" stands for "-" and "-XX" (two
 * upper-case hex digits) for the byte XX; any other "-" is an error. */
char **
air_vmexec_decode (const char  *arg,
                   GError     **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = NULL;

  if (arg == NULL || arg[0] == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("qubes.VMExec needs the command in its argument"));
      return NULL;
    }

  words = g_strsplit (arg, "+", AIR_VMEXEC_MAX_ARGS + 1);
  if (g_strv_length (words) > AIR_VMEXEC_MAX_ARGS)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("A command may have at most %d words"), AIR_VMEXEC_MAX_ARGS);
      return NULL;
    }

  for (guint w = 0; words[w] != NULL; w++)
    {
      GString *word = g_string_new (NULL);
      const char *p = words[w];

      while (*p != '\0')
        {
          if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
            goto bad;
          if (*p != '-')
            g_string_append_c (word, *p++);
          else if (p[1] == '-')
            {
              g_string_append_c (word, '-');
              p += 2;
            }
          else if (hex_value (p[1]) >= 0 && hex_value (p[2]) >= 0)
            {
              int byte = hex_value (p[1]) * 16 + hex_value (p[2]);

              if (byte == 0)
                goto bad;
              g_string_append_c (word, (char) byte);
              p += 3;
            }
          else
            goto bad;
        }
      g_ptr_array_add (argv, g_string_free (word, FALSE));
      continue;

    bad:
      g_string_free (word, TRUE);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The qubes.VMExec argument is not encoded as Qubes encodes it"));
      return NULL;
    }

  if (((char *) argv->pdata[0])[0] == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("qubes.VMExec needs the command in its argument"));
      return NULL;
    }

  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}

