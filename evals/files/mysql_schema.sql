-- MySQL 8 schema of the catalog service.
CREATE TABLE `products` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `tenant_id` varchar(64) NOT NULL,
  `name` varchar(200) NOT NULL,
  `description` mediumtext,
  `status` enum('draft','active','retired') NOT NULL DEFAULT 'draft',
  `price_cents` int unsigned NOT NULL,
  `is_featured` tinyint(1) NOT NULL DEFAULT 0,
  `attributes` json DEFAULT NULL,
  `created_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  KEY `idx_tenant_status` (`tenant_id`, `status`),
  FULLTEXT KEY `ft_name` (`name`, `description`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;
