"""advisor: should this workload run in containers or in virtual machines?"""

__version__ = "0.1.0"
HOMEPAGE = "https://github.com/your-org/advisor"
