#pragma once
//! Umbrella header of the smallpond-cpp public API.

#include "smallpond/arrow_columns.h"
#include "smallpond/batch.h"
#include "smallpond/dataframe.h"
#include "smallpond/error.h"
#include "smallpond/nodes.h"
#include "smallpond/options.h"
#include "smallpond/report.h"
#include "smallpond/row.h"
#include "smallpond/script.h"
#include "smallpond/session.h"
#include "smallpond/table.h"
