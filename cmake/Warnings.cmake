# mconv_warnings carries the compiler flags that every target of the project shares.
add_library(mconv_warnings INTERFACE)
target_compile_options(mconv_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough)

if(MCONV_WERROR)
  target_compile_options(mconv_warnings INTERFACE -Werror)
endif()

if(MCONV_SANITIZE)
  target_compile_options(mconv_warnings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(mconv_warnings INTERFACE -fsanitize=address,undefined)
endif()
