#include "services/writer/catalog.h"

#include <gtest/gtest.h>

namespace hiresync::writer {
namespace {

// Serves a catalog the test can change, and counts the lists fetched.
class FakeGoCo : public GoCoApi {
 public:
  std::map<CatalogKind, std::vector<CatalogEntry>> catalog;
  int list_calls = 0;
  absl::Status fail_with = absl::OkStatus();

  absl::StatusOr<std::vector<CatalogEntry>> ListCatalog(CatalogKind kind) override {
    ++list_calls;
    if (!fail_with.ok()) return fail_with;
    return catalog[kind];
  }
  absl::StatusOr<std::vector<Employee>> FindEmployees(const EmployeeQuery&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<Employee> CreateEmployee(const EmployeeDraft&, const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<std::vector<Document>> ListDocuments(const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<Document> UploadDocument(const std::string&, const Upload&) override {
    return absl::UnimplementedError("not used");
  }
};

TEST(CatalogTest, ResolvesExactNamesFromTheCache) {
  FakeGoCo goco;
  goco.catalog[CatalogKind::kDepartment] = {{"dep_1", "Technology"}, {"dep_2", "Sales"}};
  Catalog catalog(&goco);
  auto id = catalog.Resolve(CatalogKind::kDepartment, "Sales");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->value_or(""), "dep_2");
  EXPECT_EQ(catalog.Resolve(CatalogKind::kDepartment, "Technology")->value_or(""), "dep_1");
  EXPECT_EQ(goco.list_calls, 1);
}

TEST(CatalogTest, MissingNameRefreshesOnceThenFindsANewEntry) {
  FakeGoCo goco;
  goco.catalog[CatalogKind::kLocation] = {{"loc_1", "New York City"}};
  Catalog catalog(&goco);
  ASSERT_TRUE(catalog.Resolve(CatalogKind::kLocation, "New York City").ok());
  // Case matters, as in the recipe: "new york city" is not "New York City".
  auto lower = catalog.Resolve(CatalogKind::kLocation, "new york city");
  ASSERT_TRUE(lower.ok());
  EXPECT_FALSE(lower->has_value());
  EXPECT_EQ(goco.list_calls, 2);

  goco.catalog[CatalogKind::kLocation].push_back({"loc_2", "Remote"});
  EXPECT_EQ(catalog.Resolve(CatalogKind::kLocation, "Remote")->value_or(""), "loc_2");
  EXPECT_EQ(goco.list_calls, 3);
  EXPECT_EQ(catalog.Resolve(CatalogKind::kLocation, "Remote")->value_or(""), "loc_2");
  EXPECT_EQ(goco.list_calls, 3);
  EXPECT_EQ(catalog.fetches(CatalogKind::kLocation), 3);
}

TEST(CatalogTest, FailureIsReturnedNotCached) {
  FakeGoCo goco;
  goco.fail_with = absl::UnavailableError("down");
  Catalog catalog(&goco);
  EXPECT_FALSE(catalog.Resolve(CatalogKind::kJobTitle, "Engineer").ok());
  goco.fail_with = absl::OkStatus();
  goco.catalog[CatalogKind::kJobTitle] = {{"jt_1", "Engineer"}};
  EXPECT_EQ(catalog.Resolve(CatalogKind::kJobTitle, "Engineer")->value_or(""), "jt_1");
}

TEST(CatalogTest, MissingValueWarningSaysWhatToDo) {
  hiresync::v1::Problem problem = MissingInGoCo(CatalogKind::kDepartment, "Robotics");
  EXPECT_EQ(problem.severity(), hiresync::v1::Problem::WARNING);
  EXPECT_EQ(problem.code(), "department_not_in_goco");
  EXPECT_EQ(problem.field(), "department");
  EXPECT_EQ(problem.value(), "Robotics");
  EXPECT_NE(problem.message().find("Department 'Robotics' does not exist in GoCo"),
            std::string::npos);
  EXPECT_NE(problem.message().find("names must match exactly"), std::string::npos);
}

}  // namespace
}  // namespace hiresync::writer
