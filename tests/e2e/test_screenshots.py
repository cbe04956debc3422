"""Pictures of the main pages, for people to look at: into $SCREENSHOTS_DIR when it is set
(`make screenshots` writes docs/screenshots/), otherwise into pytest's temporary folder."""


def test_screenshots_of_the_main_pages(open_browser, screenshot_dir):
    ui = open_browser()
    ui.goto("login")
    shots = [ui.screenshot("login")]

    ui = open_browser("caseworker")
    ui.goto("my_caseload")
    shots.append(ui.screenshot("caseworker-my-caseload"))
    ui.goto(ui.first_link_to("case_detail"))
    shots.append(ui.screenshot("caseworker-case"))

    ui = open_browser("manager")
    ui.goto("home")
    ui.goto(ui.first_link_to("team_detail"))
    shots.append(ui.screenshot("manager-team"))

    ui.goto("dashboard")
    shots.append(ui.screenshot("manager-dashboard"))

    ui = open_browser("director")
    ui.goto("home")
    shots.append(ui.screenshot("director-home"))
    ui.goto("dashboard_organisation")
    shots.append(ui.screenshot("director-dashboard"))
    ui.goto(ui.first_link_to("dashboard_service"))
    shots.append(ui.screenshot("director-service-dashboard"))

    for shot in shots:
        assert shot.parent == screenshot_dir
        assert shot.stat().st_size > 10_000, f"{shot} looks empty"
