#include "mconv/cli/app.h"

int main(int argc, char** argv) { return mconv::cli::run(argc, argv); }
