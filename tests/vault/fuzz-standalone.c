/* fuzz-standalone.c — runs a fuzz target without libFuzzer
 *
 * Usage: fuzz-X [FILE...]: each FILE once, then a few thousand inputs
 * made from them (and from nothing) by random changes, cuts and joins.
 * With clang and libFuzzer, link the fuzz-*.c file with
 * -fsanitize=fuzzer instead of this.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz"

#include "config.h"

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) seeds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GRand *rand = g_rand_new_with_seed (0x41495221);

  for (int i = 1; i < argc; i++)
    {
      char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (argv[i], &contents, &len, NULL))
        {
          g_printerr ("Cannot read %s\n", argv[i]);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
      g_ptr_array_add (seeds, g_bytes_new_take (contents, len));
    }
  g_ptr_array_add (seeds, g_bytes_new_static ("", 0));

  for (guint round = 0; round < 5000; round++)
    {
      GBytes *seed = g_ptr_array_index (seeds, g_rand_int_range (rand, 0, seeds->len));
      g_autoptr(GByteArray) input = g_byte_array_new ();
      guint n_changes = g_rand_int_range (rand, 0, 8);

      g_byte_array_append (input, g_bytes_get_data (seed, NULL), g_bytes_get_size (seed));
      for (guint c = 0; c < n_changes; c++)
        {
          guint8 byte = g_rand_int_range (rand, 0, 256);

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              if (input->len > 0)
                input->data[g_rand_int_range (rand, 0, input->len)] = byte;
              break;
            case 1:
              g_byte_array_append (input, &byte, 1);
              break;
            case 2:
              if (input->len > 0)
                g_byte_array_set_size (input, g_rand_int_range (rand, 0, input->len));
              break;
            default:
              g_byte_array_prepend (input, &byte, 1);
              break;
            }
        }
      LLVMFuzzerTestOneInput (input->data, input->len);
    }

  g_rand_free (rand);
  g_print ("1..1\nok 1 - %s survived its corpus and 5000 variations\n", argv[0]);
  return 0;
}
